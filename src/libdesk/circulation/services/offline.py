"""Offline ("no block") checkouts: a kiosk that lost its connection lent items on its own, and
replays each loan when it is back. The item is already in the patron's bag, so the loan is
recorded with the kiosk's own date whatever the rules would have said; what did not fit (a
block, a hold waiting for the copy, a loan the library still had open) becomes a conflict for
staff to look at while serving that patron (no list pairs patrons with items outside one)."""

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
    HoldStatus,
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
from libdesk.core import clock
from libdesk.core.decisions import Decision
from libdesk.patrons.models import Patron


def checkout_offline(
    desk: Desk, patron: Patron, barcode: str, *, at: datetime, due: date | None
) -> LoanResult:
    """Record a loan the kiosk made offline at `at` (due `due`, or as the rules say from that
    day). Replayed twice, it is recorded once."""
    try:
        with transaction.atomic():
            return _replay(desk, patron, barcode, at, due)
    except CirculationError:  # no such item: staff find out what the kiosk lent
        with transaction.atomic():
            _conflict(desk, patron, None, barcode, ConflictKind.UNKNOWN_ITEM, at)
        raise


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
    if item.status in NOT_LENDABLE:
        _conflict(desk, patron, item, barcode, ConflictKind.NOT_LENDABLE, at)
    held = Hold.objects.filter(captured_item=item, status__in=CAPTURED_HOLD).exclude(patron=patron)
    for hold in held.select_for_update():
        # the copy left with the kiosk's patron: the hold waits again at its place in line
        _conflict(desk, patron, item, barcode, ConflictKind.HELD, at)
        hold.status, hold.captured_item, hold.captured_at = HoldStatus.WAITING, None, None
        hold.ready_at, hold.shelf_expires, hold.pickup_code = None, None, ""
        hold.save()
    try:
        rule = rule_for(patron.category, item.record.material_type, desk.branch)
    except NoLoanRule:
        rule = None
    blocks = patron_blocks(patron, rule)
    if blocks:
        _conflict(desk, patron, item, barcode, ConflictKind.BLOCKED, at)
    day = clock.local_date(at)
    loan = Loan(
        item=item,
        patron=patron,
        branch=desk.branch,
        patron_category=patron.category,
        rule=rule,
        via=desk.via,
        checked_out_at=at,
        due=due or (due_date(rule, desk.branch, day) if rule else day),
    )
    NEW_LOAN.save(loan)
    fulfil_for(patron, item)
    set_status(item, ItemStatus.ON_LOAN)
    counts.count("checkout", desk.branch, item.record.material_type, patron.category)
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
