"""The catalogue's patron data (core/patron_data.py): saved lists, which the patron makes and
fills. Imported by CatalogConfig."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from libdesk.catalog.models import SavedList, SavedListEntry
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register


def _saved_list(saved: SavedList, patron_id: int) -> dict:
    return {"name": saved.name, "made_at": saved.created_at}


def _entry(entry: SavedListEntry, patron_id: int) -> dict:
    return {
        "list": entry.saved_list.name,
        "title": entry.record.title,
        "control_number": entry.record.control_number,
        "added_at": entry.added_at,
    }


register(
    PatronDataKind(
        name="catalog.saved_lists",
        label=_("Your saved lists"),
        model=SavedList,
        resource="patron.lists",
        rows=lambda pid: SavedList.objects.filter(patron_id=pid),
        export_row=_saved_list,
        closing=Closing.DELETE,
        closing_text=_("Deleted, with every record on them."),
        retention=Retention(
            _("Kept while your account is open, until you delete them; never filled for you.")
        ),
    )
)
register(
    PatronDataKind(
        name="catalog.saved_list_entries",
        label=_("What is on your saved lists"),
        model=SavedListEntry,
        resource="patron.lists",
        rows=lambda pid: (
            SavedListEntry.objects.filter(saved_list__patron_id=pid)
            .select_related("saved_list", "record")
            .defer("record__marc")
            .order_by("saved_list__name", "-added_at", "-pk")
        ),
        export_row=_entry,
        closing=Closing.DELETE,
        closing_text=_("Deleted with the lists."),
        retention=Retention(_("Kept while the list holds them, until you remove them.")),
        order=-1,  # before the lists themselves
    )
)
