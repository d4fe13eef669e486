"""Revealing who has an item, which nothing else in libdesk does (PRIVACY.md): a desk role may
learn the current borrower only for a reason chosen from a list, such as a damage claim. It
writes two entries: a circulation entry by loan, and a read entry by patron ("current borrower
of an item", not which one), so the patron sees it in their access log.

The reason is a code, never words typed at the desk: a note like "Mrs Smith's claim about the
atlas" would pair the patron and the item in the log for as long as the log lives.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Context, require
from libdesk.audit import data_kinds, reasons
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.catalog.models import Item
from libdesk.circulation.desk import CirculationError
from libdesk.circulation.models import Loan
from libdesk.patrons.models import Patron


class RevealReason(models.TextChoices):
    """Why a desk may need to know who has a copy now: each a duty towards the borrower or the
    collection that cannot wait for the copy to come back."""

    DAMAGE_CLAIM = "damage_claim", _("Damage claim")
    LOST_ITEM_DISPUTE = "lost_item_dispute", _("Lost item dispute")
    RETURNED_DAMAGED = "returned_damaged", _("Returned item found damaged")
    RETURNED_INCOMPLETE = "returned_incomplete", _("Returned item found incomplete")
    CHARGE_DISPUTE = "charge_dispute", _("Patron disputes a charge")
    SAFETY_RECALL = "safety_recall", _("Recall for health or safety")


reasons.register_codes("borrower reveal", RevealReason.values)


def reveal_borrower(staff, workstation, item: Item, reason: str) -> Patron | None:
    """The patron who has `item` now, or None when nobody does."""
    require(staff.role, "loan.borrower", "read", Context.NONE)
    if reason not in RevealReason.values:
        raise CirculationError("reason", _("choose why you need to know from the list"))
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
            data_kind=data_kinds.CURRENT_BORROWER.code,
            reason=reason,
        )
        return Patron.objects.get(pk=loan.patron_id)
