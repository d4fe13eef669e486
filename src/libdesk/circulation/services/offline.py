"""Offline ("no block") checkouts: a kiosk that lost its connection lent items on its own, and
replays each loan when it is back. The item is already in the patron's bag, so the loan is
recorded with the kiosk's own date whatever the rules would have said; what did not fit (a
block, a copy not for loan, a loan the library still had open) becomes a conflict for staff
to look at while serving that patron (no list pairs patrons with items outside one). A copy
set aside on a hold shelf for someone else is never taken from that hold: refused, reported.

The SIP2 door decides which transactions are offline ones: only from a terminal that accepts
them, dated within the last few days and not in the future."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from libdesk.catalog.models import ItemStatus
from libdesk.circulation import counts
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.models import (
    CAPTURED_HOLD,
    ConflictKind,
    Hold,
    Loan,
    OfflineConflict,
)
from libdesk.circulation.rules import NoLoanRule, due_date, rule_for
from libdesk.circulation.services.lending import (
    NEW_LOAN,
    NOT_LENDABLE,
    LoanResult,
    audit_loan,
    item_by_barcode,
    patron_blocks,
    set_status,
)
from libdesk.circulation.services.returns import checkin
from libdesk.circulation.services.routing import fulfil_for
from libdesk.core import clock, metrics
from libdesk.core.decisions import Decision, Refused
from libdesk.patrons.models import Patron


class _HeldForAnother(Exception):
    """The copy is set aside for another patron's hold: not lent, reported to staff."""

    def __init__(self, item) -> None:
        super().__init__(item.barcode)
        self.item = item


def checkout_offline(
    desk: Desk, patron: Patron, barcode: str, *, at: datetime, due: date | None
) -> LoanResult:
    """Record a loan the kiosk made offline at `at`: due on the kiosk's `due` if it is no later
    than the rules' due date from that day, else on the rules' (a kiosk cannot lend for longer
    than the desk). Replayed twice, it is recorded once. A copy set aside for another
    patron's hold is never taken from that hold: it is refused and reported to staff."""
    try:
        with transaction.atomic():
            return _replay(desk, patron, barcode, at, due)
    except CirculationError:  # no such item: staff find out what the kiosk lent
        with transaction.atomic():
            _conflict(desk, patron, None, barcode, ConflictKind.UNKNOWN_ITEM, at)
        raise
    except _HeldForAnother as held:
        with transaction.atomic():
            _conflict(desk, patron, held.item, barcode, ConflictKind.HELD, at)
        status = held.item.get_status_display().lower()
        raise Refused(Decision.refuse("item_held_for_another", status=status)) from None


def _replay(desk: Desk, patron: Patron, barcode: str, at: datetime, due: date | None):
    item = item_by_barcode(barcode, lock=True, with_loan=True)
    if item.open_loan_id is not None:
        loan = Loan.objects.get(pk=item.open_loan_id)
        if loan.patron_id == patron.pk:
            decision = Decision.allow("already_on_loan_to_patron", due=loan.due)
            return LoanResult(decision, loan, False)
        if loan.checked_out_at > at:
            _conflict(desk, patron, item, barcode, ConflictKind.LATER_LOAN, at)
            # recorded for staff; the kiosk learns nothing of the later loan (not its due date)
            return LoanResult(Decision.allow("offline_recorded", due=""), loan, False)
        checkin(desk, barcode, returned_at=at)
        _conflict(desk, patron, item, barcode, ConflictKind.WAS_ON_LOAN, at)
        item = item_by_barcode(barcode, lock=True)
    return _lend(desk, patron, item, barcode, at, due)


def _lend(desk: Desk, patron: Patron, item, barcode: str, at: datetime, due: date | None):
    held = Hold.objects.filter(captured_item=item, status__in=CAPTURED_HOLD).exclude(patron=patron)
    if held.exists():
        raise _HeldForAnother(item)
    if item.status in NOT_LENDABLE:
        _conflict(desk, patron, item, barcode, ConflictKind.NOT_LENDABLE, at)
    try:
        rule = rule_for(patron.category, item.record.material_type, desk.branch)
    except NoLoanRule:
        rule = None
    blocks = patron_blocks(patron, rule)
    if blocks:
        _conflict(desk, patron, item, barcode, ConflictKind.BLOCKED, at)
    day = clock.local_date(at)
    longest = due_date(rule, desk.branch, day) if rule else day
    loan = Loan(
        item=item,
        patron=patron,
        branch=desk.branch,
        patron_category=patron.category,
        rule=rule,
        via=desk.via,
        checked_out_at=at,
        due=max(day, min(due, longest)) if due else longest,
    )
    NEW_LOAN.save(loan)
    fulfil_for(patron, item)
    set_status(item, ItemStatus.ON_LOAN)
    counts.count("checkout", desk.branch, item.record.material_type, patron.category)
    transaction.on_commit(lambda: metrics.checked_out(desk.via))
    audit_loan(desk, "checkout_offline", loan)
    return LoanResult(Decision.allow("offline_recorded", due=loan.due), loan)


def _conflict(desk: Desk, patron: Patron, item, barcode: str, kind: str, at: datetime) -> None:
    """Recorded once, however often the kiosk replays the transaction."""
    OfflineConflict.objects.get_or_create(
        patron=patron,
        barcode=barcode[:40],
        kind=kind,
        happened_at=at,
        defaults={
            "item": item,
            "terminal": desk.actor.workstation[:40],
            "recorded_at": clock.now(),
        },
    )
