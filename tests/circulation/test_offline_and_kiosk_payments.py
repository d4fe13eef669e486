"""Offline ("no block") loans a kiosk replays, and payments a kiosk takes: the services behind
SIP2 11 with no block = Y and SIP2 37 (the socket tests are in tests/sip2/)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from libdesk.audit.actors import Actor
from libdesk.audit.models import ActorKind
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.models import Fee, HoldStatus, Loan, OfflineConflict, Payment, Via
from libdesk.circulation.services import checkin, checkout, place_hold
from libdesk.circulation.services.fees import pay_at_kiosk
from libdesk.circulation.services.offline import checkout_offline
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.library.models import Branch

ADULT, FRENCH = "29000000000001", "29000000000002"


def kiosk() -> Desk:
    branch = Branch.objects.get(code="MAIN")
    return Desk(Actor(ActorKind.TERMINAL, "1", "terminal", "kiosk", "MAIN"), branch, Via.KIOSK)


def kinds(patron) -> list[str]:
    return list(OfflineConflict.objects.filter(patron=patron).values_list("kind", flat=True))


def test_an_offline_loan_keeps_the_kiosks_date_and_is_recorded_once(shelf, patron):
    copy = shelf.copy(shelf.record("Offline"))
    lent_at = clock.now() - timedelta(days=2)
    due = clock.today() + timedelta(days=19)
    first = checkout_offline(kiosk(), patron(ADULT), copy.barcode, at=lent_at, due=due)
    again = checkout_offline(kiosk(), patron(ADULT), copy.barcode, at=lent_at, due=due)
    loan = Loan.objects.get(item=copy)
    assert (loan.checked_out_at, loan.due, loan.via) == (lent_at, due, Via.KIOSK)
    assert first.created and not again.created and again.loan.pk == loan.pk
    assert kinds(patron(ADULT)) == []


def test_an_offline_loan_of_a_copy_still_on_loan_checks_that_loan_in_first(shelf, patron, desk):
    copy = shelf.copy(shelf.record("Passed on"))
    with clock.travel_to(clock.now() - timedelta(days=5)):
        checkout(desk(), patron(FRENCH), copy.barcode)
    lent_at = clock.now() - timedelta(days=1)
    checkout_offline(kiosk(), patron(ADULT), copy.barcode, at=lent_at, due=None)
    earlier = Loan.objects.filter(item=copy).order_by("pk").first()
    assert earlier.closed_at == lent_at and earlier.patron is None  # returned, then unlinked
    assert Loan.objects.get(item=copy, closed_at__isnull=True).patron == patron(ADULT)
    assert kinds(patron(ADULT)) == ["was_on_loan"]


def test_a_later_loan_is_kept_and_the_stale_offline_one_is_only_reported(shelf, patron, desk):
    copy = shelf.copy(shelf.record("Later"))
    checkout(desk(), patron(FRENCH), copy.barcode)
    result = checkout_offline(
        kiosk(), patron(ADULT), copy.barcode, at=clock.now() - timedelta(days=1), due=None
    )
    assert Loan.objects.get(item=copy, closed_at__isnull=True).patron == patron(FRENCH)
    assert result.decision.params["due"] == ""  # nothing about the other loan
    assert kinds(patron(ADULT)) == ["later_loan"]


def test_an_offline_loan_never_takes_a_copy_from_anothers_hold_shelf(shelf, patron, desk):
    record = shelf.record("Wanted")
    copy = shelf.copy(record)
    main = Branch.objects.get(code="MAIN")
    hold, _ = place_hold(desk(), patron(FRENCH), pickup_branch=main, record=record)
    checkin(desk(), copy.barcode)  # the copy goes to the hold shelf for the French patron
    hold.refresh_from_db()
    ready = (hold.status, hold.captured_item, hold.pickup_code)
    assert ready[0] == HoldStatus.READY
    with pytest.raises(Refused) as refused:
        checkout_offline(kiosk(), patron(ADULT), copy.barcode, at=clock.now(), due=None)
    assert refused.value.decision.code == "item_held_for_another"
    hold.refresh_from_db()
    assert (hold.status, hold.captured_item, hold.pickup_code) == ready
    assert not Loan.objects.filter(item=copy, closed_at__isnull=True).exists()
    assert kinds(patron(ADULT)) == ["held"]


def test_an_offline_due_date_is_never_later_than_the_rules_nor_before_the_loan(shelf, patron):
    late, early = shelf.copy(shelf.record("Late")), shelf.copy(shelf.record("Early"))
    lent_at = clock.now() - timedelta(days=1)
    far = checkout_offline(
        kiosk(), patron(ADULT), late.barcode, at=lent_at, due=clock.today() + timedelta(days=900)
    )
    past = checkout_offline(
        kiosk(), patron(ADULT), early.barcode, at=lent_at, due=clock.today() - timedelta(days=30)
    )
    assert far.loan.due <= clock.local_date(lent_at) + timedelta(days=28)  # 21 days, closed days
    assert past.loan.due == clock.local_date(lent_at)


def test_a_blocked_patrons_offline_loan_is_recorded_and_reported(shelf, patron):
    from libdesk.patrons.services import block_card

    copy = shelf.copy(shelf.record("Blocked"))
    block_card(kiosk().actor, patron(ADULT).pk, terminal="kiosk", message="kept", retained=True)
    checkout_offline(kiosk(), patron(ADULT), copy.barcode, at=clock.now(), due=None)
    assert Loan.objects.filter(item=copy, patron=patron(ADULT)).exists()
    assert kinds(patron(ADULT)) == ["blocked"]


def test_an_unknown_barcode_is_refused_and_reported_once(patron):
    lent_at = clock.now() - timedelta(hours=3)
    for _attempt in range(2):
        with pytest.raises(CirculationError):
            checkout_offline(kiosk(), patron(ADULT), "99999999", at=lent_at, due=None)
    assert kinds(patron(ADULT)) == ["unknown_item"]


def fee(patron, amount: str) -> Fee:
    value = Decimal(amount)
    return Fee.objects.create(
        patron=patron, kind="damage", amount=value, balance=value, created_at=clock.now()
    )


def test_a_kiosk_payment_pays_the_oldest_fees_first_and_once_per_transaction(patron):
    older, newer = fee(patron(ADULT), "3.00"), fee(patron(ADULT), "2.00")
    paid = pay_at_kiosk(
        kiosk(), patron(ADULT).pk, Decimal("4.00"), method="card", transaction_id="T-1"
    )
    again = pay_at_kiosk(
        kiosk(), patron(ADULT).pk, Decimal("4.00"), method="card", transaction_id="T-1"
    )
    assert [p.pk for p in again] == [p.pk for p in paid]
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.balance, newer.balance) == (Decimal("0.00"), Decimal("1.00"))
    assert older.closed_at is not None and newer.closed_at is None
    assert Payment.objects.filter(transaction_id="T-1", terminal="kiosk").count() == 2


def test_a_transaction_id_used_by_another_patron_or_amount_is_refused(patron):
    fee(patron(ADULT), "3.00")
    theirs = fee(patron(FRENCH), "3.00")
    pay_at_kiosk(kiosk(), patron(ADULT).pk, Decimal("1.00"), method="card", transaction_id="T-9")
    for who, amount in ((FRENCH, "1.00"), (ADULT, "2.00")):
        with pytest.raises(CirculationError, match="already used"):
            pay_at_kiosk(
                kiosk(), patron(who).pk, Decimal(amount), method="card", transaction_id="T-9"
            )
    theirs.refresh_from_db()
    assert theirs.balance == Decimal("3.00")
    assert Payment.objects.filter(transaction_id="T-9").count() == 1


def test_a_kiosk_payment_for_more_than_is_owed_or_another_patrons_fee_is_refused(patron):
    mine, theirs = fee(patron(ADULT), "1.00"), fee(patron(FRENCH), "5.00")
    with pytest.raises(CirculationError, match="more than"):
        pay_at_kiosk(kiosk(), patron(ADULT).pk, Decimal("2.00"), method="cash", transaction_id="")
    with pytest.raises(CirculationError, match="nothing is owed"):
        pay_at_kiosk(
            kiosk(),
            patron(ADULT).pk,
            Decimal("1.00"),
            method="cash",
            transaction_id="",
            fee_id=theirs.pk,
        )
    for amount in ("0", "-1.00", "NaN", "Infinity", "1e12"):
        with pytest.raises(CirculationError):
            pay_at_kiosk(
                kiosk(), patron(ADULT).pk, Decimal(amount), method="cash", transaction_id=""
            )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.balance, theirs.balance) == (Decimal("1.00"), Decimal("5.00"))
    assert not Payment.objects.exists()
