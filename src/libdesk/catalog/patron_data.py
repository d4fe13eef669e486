"""The catalogue's patron data (core/patron_data.py): saved lists, which the patron makes and
fills. Imported by CatalogConfig."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from libdesk.catalog.models import SavedList
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register


def _saved_list(saved: SavedList, patron_id: int) -> dict:
    return {
        "name": saved.name,
        "made_at": saved.created_at,
        "records": [
            {
                "title": entry.record.title,
                "control_number": entry.record.control_number,
                "added_at": entry.added_at,
            }
            for entry in saved.entries.all()
        ],
    }


register(
    PatronDataKind(
        name="catalog.saved_lists",
        label=_("Your saved lists"),
        model=SavedList,
        resource="patron.lists",
        rows=lambda pid: SavedList.objects.filter(patron_id=pid).prefetch_related(
            "entries__record"
        ),
        export_row=_saved_list,
        closing=Closing.DELETE,
        closing_text=_("Deleted, with every record on them."),
        retention=Retention(
            _("Kept while your account is open, until you delete them; never filled for you.")
        ),
    )
)
