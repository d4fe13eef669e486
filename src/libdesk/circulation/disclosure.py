"""Revealing who has an item, which nothing else in libdesk does (PRIVACY.md): a desk role may
learn the current borrower only with a stated reason, such as a damage claim. It writes two
entries: a circulation entry by loan, and a read entry by patron ("current borrower of an
item", not which one), so the patron sees it in their access log."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.catalog.models import Item
from libdesk.circulation.desk import CirculationError
from libdesk.circulation.models import Loan
from libdesk.patrons.models import Patron

DATA_KIND = "current borrower of an item"


def reveal_borrower(staff, workstation, item: Item, reason: str) -> Patron | None:
    """The patron who has `item` now, or None when nobody does."""
    require(staff.role, "loan.borrower", "read", Context.NONE)
    reason = reason.strip()
    if len(reason) < 5:
        raise CirculationError(
            "reason", _("say why you need to know (for example, a damage claim)")
        )
    with transaction.atomic():
        loan = Loan.objects.filter(item=item, closed_at__isnull=True, patron__isnull=False).first()
        if loan is None:
            return None
        actor = Actor.staff(staff, workstation)
        audit.record(
            actor,
            "circulation.borrower.reveal",
            object_type="loan",
            object_id=loan.pk,
            reason=reason,
        )
        audit.record(
            actor,
            "patron.read",
            object_type="patron",
            object_id=loan.patron_id,
            patron_id=loan.patron_id,
            data_kind=DATA_KIND,
            reason=reason,
        )
        return Patron.objects.get(pk=loan.patron_id)
