"""Patrons' rights as state changes: asking for a correction (and staff handling it), and
closing the account. Each is one transaction, checks the access table and is audited (ids and
codes, never the text of a request)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from libdesk.access.purposes import Access
from libdesk.audit import services as audit
from libdesk.circulation import selectors as circulation
from libdesk.core import clock, patron_data
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.patrons import services as patrons
from libdesk.rights.models import CorrectionRequest

CORRECTION_MAX = 1000


class RightsError(InputError):
    """Input a rights service cannot accept, naming the field."""


def ask_correction(access: Access, text: str) -> CorrectionRequest:
    """The patron asks staff to correct a detail, in their own words; kept until handled."""
    access.change("patron.requests")
    text = text.strip()
    if not text:
        raise RightsError("text", _("say which detail is wrong and what it should be"))
    if len(text) > CORRECTION_MAX:
        raise RightsError("text", _("keep it under %d characters") % CORRECTION_MAX)
    with transaction.atomic():
        correction = CorrectionRequest.objects.create(
            patron_id=access.patron_id, text=text, asked_at=clock.now()
        )
        audit.record(
            access.actor,
            "patron.correction.ask",
            object_type="correction",
            object_id=correction.pk,
            patron_id=access.patron_id,
        )
    return correction


def correction_done(access: Access, correction_id: int) -> None:
    """Staff serving the patron have handled the request (corrected the record, or answered
    why not): it is deleted. Another patron's request, or one already handled, is not found."""
    access.change("patron.profile")
    with transaction.atomic():
        correction = (
            CorrectionRequest.objects.select_for_update()
            .filter(pk=correction_id, patron_id=access.patron_id)
            .first()
        )
        if correction is None:
            raise NotFound
        correction.delete()
        audit.record(
            access.actor,
            "patron.correction.done",
            object_type="correction",
            object_id=correction_id,
            patron_id=access.patron_id,
        )


def closing_refusal(access: Access) -> Decision | None:
    """Why the account cannot close now (items on loan, money owed), or None."""
    on_loan = circulation.current_loans(access).count()
    if on_loan:
        return Decision.refuse("close_account_on_loan", count=on_loan)
    fees = circulation.open_fees(access)
    if fees.exists():
        owed = fees.aggregate(owed=Sum("balance"))["owed"] or Decimal(0)
        return Decision.refuse("close_account_owes", amount=f"{owed:.2f}")
    return None


def close_account(access: Access) -> dict[str, int]:
    """Close the patron's account: refused (with its clause) while anything is on loan or
    owed; otherwise every session and token ends and every kind of patron data registered
    with core.patron_data gets its closing rule (deleted, or kept without the patron), the
    record itself last, all in one transaction. Answers the rows each kind changed."""
    patrons.may_close_account(access)
    with transaction.atomic():
        patrons.start_closing(access)  # locks the record first: no checkout slips in
        refusal = closing_refusal(access)
        if refusal is not None:
            raise Refused(refusal)
        return patron_data.close(access.patron_id)
