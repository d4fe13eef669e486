"""Values a person types at the desk or in their account stay within what libdesk can hold:
each out-of-range one is a form error naming its field, and nothing is stored that would break
a later page (found by trying the doors as an attacker would)."""

from html import unescape

import pytest

from libdesk.circulation import services
from libdesk.circulation.models import Fee, Hold, LoanRule
from tests.conftest import AVERY, PINS

pytestmark = pytest.mark.django_db

RULE = {
    "patron_category": "child",
    "material_type": "",
    "branch": "",
    "loan_days": 21,
    "renewals": 2,
    "max_items": 20,
    "max_holds": 10,
    "fine_per_day": "0",
    "fine_cap": "0",
    "lost_charge": "0",
}


@pytest.mark.parametrize("charge", ["1e12", "1000000", "999999.999", "-1", "NaN", "Infinity"])
def test_a_damage_charge_out_of_range_is_refused_and_the_account_still_opens(
    staff_client, shelf, desk, patron, charge
):
    item = shelf.copy(shelf.record("Damaged"))
    services.checkout(desk(), patron(AVERY), item.barcode)
    clerk = staff_client()
    clerk.post(
        "/staff/checkin/damaged/",
        {"damage-barcode": item.barcode, "damage-charge": charge, "damage-note": "torn"},
    )
    assert not Fee.objects.exists()
    serving = clerk.post("/staff/desk/card/", {"card": AVERY})["Location"]
    assert clerk.get(serving).status_code == 200


def test_a_damage_charge_at_the_most_a_fee_holds_is_taken(staff_client, shelf, desk, patron):
    item = shelf.copy(shelf.record("Damaged badly"))
    services.checkout(desk(), patron(AVERY), item.barcode)
    staff_client().post(
        "/staff/checkin/damaged/",
        {"damage-barcode": item.barcode, "damage-charge": "999999.99", "damage-note": "burnt"},
    )
    assert str(Fee.objects.get().amount) == "999999.99"


@pytest.mark.parametrize(
    "field,value",
    [
        ("loan_days", "2147483647"),
        ("loan_days", "3661"),
        ("renewals", "10001"),
        ("max_items", "99999999999"),
        ("fine_per_day", "-1"),
        ("lost_charge", "1e12"),
    ],
)
def test_a_loan_rule_out_of_range_is_a_form_error_and_checkouts_go_on(
    staff_client, shelf, desk, patron, field, value
):
    before = LoanRule.objects.count()
    page = staff_client("head").post("/staff/rules/new/", {**RULE, "branch": "", field: value})
    assert page.status_code in (200, 422)
    assert LoanRule.objects.count() == before
    item = shelf.copy(shelf.record("Still lends"))
    assert services.checkout(desk(), patron(AVERY), item.barcode).loan.pk


@pytest.mark.parametrize("record_id", ["²", "١٢", "9" * 5000, "-1", "0", "1e3"])
def test_a_malformed_record_number_finds_nothing(client, demo_library, record_id):
    client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    assert client.post("/account/holds/new/", {"record_id": record_id}).status_code == 404
    assert client.get("/account/requests/new/", {"record": record_id}).status_code == 200


@pytest.mark.parametrize("days", ["²", "9" * 5000, "-5", "0", "abc"])
def test_the_reports_take_any_period_asked_and_fall_back_to_30_days(staff_client, days):
    page = staff_client().get("/staff/reports/", {"days": days})
    assert page.status_code == 200


@pytest.mark.parametrize("until", ["9999-12-31", "0001-01-01", "2200-13-01"])
def test_the_audit_search_names_a_date_out_of_range(staff_client, until):
    page = staff_client("privacy").get("/staff/audit/", {"until": until})
    assert page.status_code == 200
    assert "errorlist" in page.content.decode() or "field-error" in page.content.decode()


def test_suspending_until_a_malformed_date_says_so_and_suspends_nothing(
    client, shelf, desk, patron
):
    record = shelf.record("Suspend me")
    shelf.copy(record, status="on_loan")
    hold, _ = services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    for until in ("garbage", "9999-12-31"):
        client.post("/account/loans/suspend-hold/", {"hold_id": hold.pk, "until": until})
        assert Hold.objects.get(pk=hold.pk).status == "waiting"
    page = unescape(client.get("/account/").content.decode())
    assert "Enter a valid date" in page or "Ensure this value" in page


def test_an_extension_past_the_dates_libdesk_deals_in_is_refused(staff_client, shelf, desk, patron):
    item = shelf.copy(shelf.record("Long loan"))
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    clerk = staff_client()
    serving = clerk.post("/staff/desk/card/", {"card": AVERY})["Location"]
    clerk.post(
        serving + "loans/extend/",
        {"loan_id": loan.pk, "new_due": "9999-12-31", "reason": "circumstances", "note": "x"},
    )
    loan.refresh_from_db()
    assert loan.due.year < 2200
