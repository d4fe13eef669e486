"""Items coming back: check-in (which unlinks the loan from its patron in the same transaction,
unless a fee on it is still open; then `fees` does it when the fee closes), lost, claimed
returned, returned damaged, and withdrawing a copy from the collection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.models import Item, ItemStatus
from libdesk.circulation import counts
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.models import (
    CAPTURED_HOLD,
    QUEUED_HOLD,
    ZERO,
    Fee,
    FeeKind,
    Hold,
    Loan,
    LoanState,
)
from libdesk.circulation.reading_history import remember_return
from libdesk.circulation.rules import overdue_fine
from libdesk.circulation.services.lending import audit_loan, item_by_barcode, set_status
from libdesk.circulation.services.routing import receive
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.core.statements import Select, Update


@dataclass(frozen=True)
class CheckinResult:
    item: Item
    hold: Hold | None
    fee: Fee | None
    loan_id: int | None


OPEN_LOAN = Select(
    lambda item: (
        Loan.objects.select_for_update(of=("self",))
        .select_related("rule")
        .filter(item_id=item, closed_at__isnull=True)[:1]
    ),
    item=int,
)


CLOSE_LOAN = Update(
    lambda pk, state, closed_at: (
        Loan.objects.filter(pk=pk),
        {"state": state, "closed_at": closed_at},
    ),
    pk=int,
    state=str,
    closed_at=datetime,
)


def checkin(desk: Desk, barcode: str, *, returned_at: datetime | None = None) -> CheckinResult:
    """The item is back in the library's hands: close its loan (unlinking the patron), then
    send it to the first hold in line, its shelf, or in transit.

    `returned_at` is a kiosk's own time for a check-in it made offline and replays now: the
    loan closes then (fines, if any, run to that day). A loan that began after it is a later
    loan, which that return cannot have ended: it stays open."""
    with transaction.atomic():
        item = item_by_barcode(barcode, lock=True)
        loan = OPEN_LOAN.first(item=item.pk)
        if loan is not None and returned_at is not None and loan.checked_out_at > returned_at:
            loan = None
        borrower = loan.patron_id if loan is not None else None  # before it is unlinked
        fee = _close_loan(loan, LoanState.RETURNED, at=returned_at) if loan is not None else None
        if loan is not None:
            counts.count("checkin", desk.branch, item.record.material_type, loan.patron_category)
            remember_return(borrower, item.record_id, clock.today())
        if loan is None and item.status == ItemStatus.LOST:
            _found(desk, item)
        hold = receive(item, desk.branch)
        set_status(item, item.status)
        audit.record(
            desk.actor,
            "circulation.checkin",
            object_type="loan" if loan else "item",
            object_id=loan.pk if loan else item.pk,
            reason=f"item {item.pk}",
        )
    return CheckinResult(item, hold, fee, loan.pk if loan else None)


def _found(desk: Desk, item: Item) -> None:
    """A copy charged as lost turns up: what is still owed for it is cancelled, in the
    patron's favour (money already paid is refunded at the desk, by hand)."""
    from libdesk.circulation.services.fees import cancel_balance

    for fee in Fee.objects.select_for_update().filter(
        loan__item=item, kind=FeeKind.LOST, closed_at__isnull=True
    ):
        cancel_balance(desk, fee, "item_found")


def _close_loan(
    loan: Loan, state: str, charge: Decimal = ZERO, kind: str = "", at: datetime | None = None
) -> Fee | None:
    """Close a loan (now, or `at` for an offline return), charge what the rules say, and
    unlink the patron if nothing is owed."""
    from libdesk.circulation.services.fees import charge_fee, unlink_if_settled

    now = at or clock.now()
    fee = None
    if state == LoanState.RETURNED and loan.state == LoanState.OPEN:
        day = clock.local_date(now) if at is not None else clock.today()
        fine = overdue_fine(loan.rule, loan.due, day)
        if fine > ZERO:
            fee = charge_fee(loan, FeeKind.OVERDUE, fine)
    if charge > ZERO:
        fee = charge_fee(loan, kind, charge)
    loan.state, loan.closed_at = state, now
    CLOSE_LOAN.run(pk=loan.pk, state=state, closed_at=now)
    unlink_if_settled(loan)
    return fee


def mark_lost(desk: Desk, loan: Loan) -> Fee | None:
    """The patron reports the item lost: the loan closes, the rule's charge (if any) is made."""
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("item", "rule")
            .get(pk=loan.pk)
        )
        if not loan.is_open:
            raise Refused(Decision.refuse("loan_ended", state=LoanState(loan.state).label))
        charge = loan.rule.lost_charge if loan.rule else ZERO
        fee = _close_loan(loan, LoanState.LOST, charge, FeeKind.LOST)
        item = Item.objects.select_for_update().get(pk=loan.item_id)
        set_status(item, ItemStatus.LOST)
        audit_loan(desk, "lost", loan)
    return fee


def claim_returned(desk: Desk, loan: Loan) -> Loan:
    """The patron says they returned it: no notices or fines while the library looks. Said
    again, the claim simply stands."""
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.state == LoanState.CLAIMED_RETURNED:
            return loan
        if loan.state != LoanState.OPEN:
            raise Refused(Decision.refuse("loan_ended", state=LoanState(loan.state).label))
        loan.state = LoanState.CLAIMED_RETURNED
        loan.save(update_fields=["state"])
        item = Item.objects.select_for_update().get(pk=loan.item_id)
        set_status(item, ItemStatus.CLAIMED_RETURNED)
        audit_loan(desk, "claimed_returned", loan)
    return loan


def return_damaged(desk: Desk, barcode: str, charge: Decimal, note: str) -> CheckinResult:
    """An item comes back damaged: its loan closes with a damage charge (if the library charges)
    and the copy goes out of circulation for repair. Only a copy still on loan can be charged
    for: once checked in, nothing links it to who had it."""
    if charge < ZERO:
        raise CirculationError("charge", _("a charge cannot be negative"))
    from libdesk.circulation.services.fees import within_money_bounds

    within_money_bounds(charge, "charge")
    if not note.strip():
        raise CirculationError("note", _("describe the damage"))
    with transaction.atomic():
        item = item_by_barcode(barcode, lock=True)
        loan = OPEN_LOAN.first(item=item.pk)
        fee = None
        if loan is not None:
            borrower = loan.patron_id  # before it is unlinked
            fee = _close_loan(loan, LoanState.RETURNED, charge, FeeKind.DAMAGE)
            counts.count("checkin", desk.branch, item.record.material_type, loan.patron_category)
            remember_return(borrower, item.record_id, clock.today())
        set_status(item, ItemStatus.DAMAGED)
        audit.record(
            desk.actor,
            "circulation.damaged",
            object_type="item",
            object_id=item.pk,
            reason=f"loan {loan.pk}" if loan else "",
        )
    return CheckinResult(item, None, fee, loan.pk if loan else None)


def withdraw(desk: Desk, barcode: str) -> Item:
    """Take a copy out of the collection. Holds on it move to the title, keeping their places,
    and a hold it was set aside for goes back in line for another copy."""
    with transaction.atomic():
        item = item_by_barcode(barcode, lock=True)
        if Loan.objects.filter(item=item, closed_at__isnull=True).exists():
            raise Refused(Decision.refuse("withdraw_on_loan"))
        Hold.objects.filter(item=item, status__in=QUEUED_HOLD).update(item=None)
        for hold in Hold.objects.select_for_update().filter(
            captured_item=item, status__in=CAPTURED_HOLD
        ):
            hold.status, hold.captured_item, hold.captured_at = "waiting", None, None
            hold.item, hold.ready_at, hold.shelf_expires, hold.pickup_code = None, None, None, ""
            hold.save()
        set_status(item, ItemStatus.WITHDRAWN)
        audit.record(desk.actor, "catalog.item.withdraw", object_type="item", object_id=item.pk)
    return item
