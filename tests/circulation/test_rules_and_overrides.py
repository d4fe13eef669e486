"""Loan rules as data, blocks, and overrides that can only favour the patron."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from libdesk.circulation import services
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import Fee, Loan, LoanRule, Override
from libdesk.circulation.rules import rule_for
from libdesk.circulation.services import fees, queue
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.library.models import Branch
from tests.conftest import AVERY, BEATRICE, SAM

pytestmark = pytest.mark.django_db
GOODWILL = OverrideRequest("circumstances", "Patron is moving house this week")


def test_demo_rules_lend_21_days_two_renewals_50_adults_20_children(demo_library):
    adult, child = rule_for("adult", "book", None), rule_for("child", "dvd", None)
    assert (adult.loan_days, adult.renewals, adult.max_items) == (21, 2, 50)
    assert (child.loan_days, child.renewals, child.max_items) == (21, 2, 20)
    assert adult.fine_per_day == child.fine_per_day == Decimal("0")
    assert adult.clause == "OP-02-01-01/equal-consideration"  # limits: enough for everyone


def test_the_most_specific_rule_wins(demo_library):
    keew = Branch.objects.get(code="KEEW")
    LoanRule.objects.create(
        clause="OP-02-01-01/policies-explained",
        material_type="dvd",
        loan_days=7,
        renewals=1,
        max_items=5,
        max_holds=5,
    )
    LoanRule.objects.create(
        clause="OP-02-01-01/policies-explained",
        material_type="dvd",
        branch=keew,
        loan_days=14,
        renewals=1,
        max_items=5,
        max_holds=5,
    )
    assert rule_for("adult", "dvd", None).loan_days == 7
    assert rule_for("adult", "dvd", keew).loan_days == 14
    assert rule_for("adult", "book", keew).loan_days == 21


def test_a_due_date_on_a_statutory_holiday_moves_to_the_next_open_day(shelf, desk, patron):
    item = shelf.copy(shelf.record("Holiday loan"))
    # 21 days after 2026-12-04 is Christmas Day (closed), then Boxing Day observed and Sunday.
    with clock.travel_to(date(2026, 12, 4)):
        loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    assert loan.due > date(2026, 12, 25)
    from libdesk.library.selectors import is_open_on

    assert is_open_on(loan.branch, loan.due)
    assert not any(
        is_open_on(loan.branch, date(2026, 12, 25) + timedelta(d))
        for d in range((loan.due - date(2026, 12, 25)).days)
    )


def test_child_limit_blocks_and_a_clerk_may_override_with_a_reason(shelf, desk, patron):
    LoanRule.objects.filter(patron_category="child").update(max_items=1)
    record = shelf.record("Child limit")
    first, second = shelf.copy(record), shelf.copy(record)
    services.checkout(desk(), patron(SAM), first.barcode)
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), patron(SAM), second.barcode)
    assert refused.value.decision.code == "too_many_items"
    assert refused.value.decision.params == {"count": 1, "limit": 1}
    result = services.checkout(desk(), patron(SAM), second.barcode, override=GOODWILL)
    assert result.decision.code == "checkout_overridden"
    override = Override.objects.get()
    assert (override.kind, override.reason, override.refusal_code) == (
        "checkout_block",
        "circumstances",
        "too_many_items",
    )
    assert override.loan == result.loan


def test_an_override_cannot_take_a_copy_from_the_queue(shelf, desk, patron):
    record = shelf.record("Queued")
    copy = shelf.copy(record)
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record)
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), patron(AVERY), copy.barcode, override=GOODWILL)
    assert refused.value.decision.code == "not_overridable"
    assert refused.value.decision.cause.code == "item_wanted_by_holds"
    assert "OP-02-01-01/equal-respect" in refused.value.decision.clauses
    assert not Loan.objects.exists()


def test_overrides_never_shorten_a_loan_or_add_a_charge(shelf, desk, patron):
    item = shelf.copy(shelf.record("Favour only"))
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    for earlier in (loan.due, loan.due - timedelta(days=1)):
        with pytest.raises(Refused) as refused:
            services.extend_due(desk(), loan, earlier, GOODWILL)
        assert refused.value.decision.code == "override_must_favour_patron"
        assert refused.value.decision.clauses == ("OP-02-01-01/patrons-favour",)
    loan.refresh_from_db()
    longer = services.extend_due(desk(), loan, loan.due + timedelta(days=7), GOODWILL)
    assert longer.due == loan.due + timedelta(days=7)
    fee = Fee.objects.create(
        patron=patron(AVERY),
        loan=loan,
        kind="damage",
        amount=Decimal("4"),
        balance=Decimal("4"),
        created_at=clock.now(),
    )
    with pytest.raises(CirculationError):
        services.waive(desk(), fee, Decimal("5"), GOODWILL)  # more than is owed
    with pytest.raises(CirculationError):
        fees.parse_amount("-1")
    fee.refresh_from_db()
    assert fee.balance == Decimal("4")
    assert Override.objects.filter(kind="extend_due").count() == 1


def test_an_override_needs_a_reason_and_a_note_and_a_desk_role(shelf, desk, patron):
    with pytest.raises(CirculationError) as missing:
        OverrideRequest("circumstances", "  ")
    assert missing.value.field == "override_note"
    with pytest.raises(CirculationError):
        OverrideRequest("because", "a note")
    item = shelf.copy(shelf.record("Self service"))
    with pytest.raises(Refused) as refused:
        services.checkout(
            Desk.self_service(desk().branch), patron(AVERY), item.barcode, override=GOODWILL
        )
    assert (refused.value.decision.code, refused.value.status) == ("override_not_permitted", 403)


def test_expired_and_lost_cards_block(shelf, desk, patron):
    item = shelf.copy(shelf.record("Card blocks"))
    avery = patron(AVERY)
    avery.card_expires = clock.today() - timedelta(days=1)
    avery.save()
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), avery, item.barcode)
    assert refused.value.decision.code == "card_expired"
    avery.card_lost_at = clock.now()
    avery.save()
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), avery, item.barcode, override=GOODWILL)
    assert refused.value.decision.code == "not_overridable"


def test_fees_where_a_library_charges_them(shelf, desk, patron):
    """Fines with a cap, a block over the limit, payment with a receipt, and the patron link
    kept only while the fee is open."""
    LoanRule.objects.filter(patron_category="").update(
        fine_per_day=Decimal("0.25"), fine_cap=Decimal("2.00")
    )
    item = shelf.copy(shelf.record("Late book"))
    with clock.travel_to(date(2027, 2, 1)):
        loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    with clock.travel_to(loan.due + timedelta(days=30)):
        result = services.checkin(desk(), item.barcode)
    assert result.fee.amount == Decimal("2.00")  # 30 days at 0.25, capped at 2.00
    loan.refresh_from_db()
    assert loan.patron_id == patron(AVERY).pk  # kept while the fee is open
    payment = services.pay(desk(), result.fee, Decimal("0.50"))
    assert payment.receipt.startswith("R")
    loan.refresh_from_db()
    assert loan.patron_id is not None
    services.waive(desk(), result.fee, Decimal("1.50"), GOODWILL)
    loan.refresh_from_db()
    fee = Fee.objects.get()
    assert loan.patron_id is None and fee.loan_id is None and fee.closed_at is not None


def test_fees_over_the_limit_block_borrowing(shelf, desk, patron):
    avery = patron(AVERY)
    Fee.objects.create(
        patron=avery,
        kind="damage",
        amount=Decimal("12"),
        balance=Decimal("12"),
        created_at=clock.now(),
    )
    item = shelf.copy(shelf.record("Owing"))
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), avery, item.barcode)
    assert refused.value.decision.code == "fees_over_limit"
    assert services.checkout(desk(), avery, item.barcode, override=GOODWILL).loan


def test_renewal_limit_and_renewal_never_shortens(shelf, desk, patron):
    item = shelf.copy(shelf.record("Renewals"))
    with clock.travel_to(date(2027, 3, 1)):
        loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    for day in (2, 3):
        with clock.travel_to(date(2027, 3, day)):
            assert services.renew(desk(), loan).decision.code == "renewal_granted"
    with clock.travel_to(date(2027, 3, 4)):
        with pytest.raises(Refused) as refused:
            services.renew(desk(), loan)
        assert refused.value.decision.code == "renewal_limit"
        overridden = services.renew(desk(), loan, override=GOODWILL)
        assert overridden.decision.code == "renewal_overridden"
        services.extend_due(desk(), loan, overridden.loan.due + timedelta(days=40), GOODWILL)
    loan.refresh_from_db()
    long_due, used = loan.due, loan.renewals_used
    with clock.travel_to(date(2027, 3, 5)), pytest.raises(Refused) as refused:
        services.renew(desk(), loan, override=GOODWILL)  # renewing never shortens
    assert refused.value.decision.code == "not_overridable"
    assert refused.value.decision.cause.code == "renewal_would_not_extend"
    loan.refresh_from_db()
    assert (loan.due, loan.renewals_used) == (long_due, used)


def test_lost_damaged_claims_returned_and_withdrawn(shelf, desk, patron):
    record = shelf.record("Mishaps")
    a, b, c = shelf.copy(record), shelf.copy(record), shelf.copy(record)
    loan = services.checkout(desk(), patron(AVERY), a.barcode).loan
    services.mark_lost(desk(), loan)  # fine-free: no charge, so the patron link goes at once
    loan.refresh_from_db()
    a.refresh_from_db()
    assert (loan.state, loan.patron_id, a.status) == ("lost", None, "lost")
    loan = services.checkout(desk(), patron(AVERY), b.barcode).loan
    services.claim_returned(desk(), loan)
    b.refresh_from_db()
    assert b.status == "claimed_returned"
    found = services.checkin(desk(), b.barcode)  # found on the shelf later
    assert found.item.status == "available"
    loan = services.checkout(desk(), patron(AVERY), c.barcode).loan
    result = services.return_damaged(desk(), c.barcode, Decimal("0"), "Water damage")
    assert result.item.status == "damaged" and result.fee is None
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), patron(BEATRICE), c.barcode)
    assert refused.value.decision.code == "item_not_for_loan"


def test_withdrawing_a_copy_moves_its_holds_to_other_copies(shelf, desk, patron):
    record = shelf.record("Withdrawn")
    old, new = shelf.copy(record), shelf.copy(record, status="on_loan")
    hold, _ = services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, item=old)
    services.checkin(desk(), old.barcode)  # captured for the item-level hold
    hold.refresh_from_db()
    assert hold.status == "ready"
    services.withdraw(desk(), old.barcode)
    hold.refresh_from_db()
    assert (hold.status, hold.item_id, hold.captured_item_id) == ("waiting", None, None)
    Loan.objects.create(
        item=new,
        patron=patron(AVERY),
        branch=desk().branch,
        patron_category="adult",
        via="desk",
        checked_out_at=clock.now(),
        due=clock.today(),
    )
    services.checkin(desk(), new.barcode)
    hold.refresh_from_db()
    assert hold.status == "ready" and hold.captured_item_id == new.pk


def test_a_lost_item_found_cancels_what_is_still_owed(shelf, desk, patron):
    LoanRule.objects.filter(patron_category="").update(lost_charge=Decimal("20.00"))
    item = shelf.copy(shelf.record("Found again"))
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    fee = services.mark_lost(desk(), loan)
    assert fee.amount == Decimal("20.00")
    loan.refresh_from_db()
    assert loan.patron_id is not None  # kept while the charge is open
    back = services.checkin(desk(), item.barcode)
    fee.refresh_from_db()
    loan.refresh_from_db()
    assert back.item.status == "available"
    assert fee.balance == 0 and fee.closed_at is not None
    assert loan.patron_id is None


def test_any_edition_in_chosen_formats(shelf, desk, patron):
    print_ed = shelf.record("Formats", year=2001)
    large = shelf.record("Formats", year=2015, form="d")
    regular, big = shelf.copy(print_ed, status="on_loan"), shelf.copy(large, status="on_loan")
    with pytest.raises(CirculationError) as bad:
        services.place_hold(
            desk(),
            patron(AVERY),
            pickup_branch=desk().branch,
            record=print_ed,
            any_edition=True,
            formats=("scroll",),
        )
    assert bad.value.field == "formats"
    hold, _ = services.place_hold(
        desk(),
        patron(AVERY),
        pickup_branch=desk().branch,
        record=print_ed,
        any_edition=True,
        formats=("large_print",),
    )
    assert queue.satisfies(hold, big) and not queue.satisfies(hold, regular)
