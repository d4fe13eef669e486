"""A clerk checks out two items (one refused, with its clause and alternatives); a patron
places a hold and sees their place in line."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, BEATRICE, DEMO_PASSWORD, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def lend_elsewhere(barcode: str, card: str) -> None:
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.patrons.models import Patron

    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    services.checkout(desk, Patron.objects.get(card_number=card), barcode)


def test_a_clerk_checks_out_two_items_and_one_is_refused(site, page):
    lend_elsewhere("39000000000002", BEATRICE)
    page.goto(site + "/staff/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Workstation").select_option("MAIN-DESK-1")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Serve a patron at the desk").click()
    page.get_by_label("Patron's card").fill(AVERY)
    page.get_by_role("button", name="Open account").click()
    page.wait_for_load_state()

    from playwright.sync_api import expect

    page.get_by_label("Item barcode").fill("39000000000001")
    page.get_by_role("button", name="Check out", exact=True).click()
    expect(page.locator(".loans-table tbody tr")).to_have_count(1)  # answered in place
    result = page.locator(".checkout-result")
    assert "Checked out. Due back on" in result.inner_text()
    assert "39000000000001" in page.locator(".loans-table").inner_text()
    assert accessibility_violations(page) == []

    page.get_by_label("Item barcode").fill("39000000000002")
    page.get_by_role("button", name="Check out", exact=True).click()
    refusal = page.locator(".checkout-result")
    expect(refusal).to_contain_text("Refused")
    text = refusal.inner_text()
    assert "Refused" in text
    assert "The item has an open loan to another card" in text  # the staff reason
    assert "OP-02-01-01/timely-or-alternatives" in text
    alternatives = refusal.locator(".alternatives li")
    assert alternatives.count() >= 2
    assert "Place a hold: you would be number 1 in line" in refusal.inner_text()
    assert refusal.get_by_role("link", name="Ask why this policy exists").is_visible()
    assert page.locator(".loans-table tbody tr").count() == 1
    assert accessibility_violations(page) == []


def test_a_patron_places_a_hold_and_sees_its_position(site, page):
    from libdesk.catalog.models import Item

    lend_elsewhere("39000000000003", BEATRICE)
    record = Item.objects.get(barcode="39000000000003").record
    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill(AVERY)
    page.get_by_label("PIN").fill(PINS[AVERY])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(f"{site}/records/{record.pk}/")
    assert "On loan, due" in page.locator("table.copies").inner_text()
    assert accessibility_violations(page) == []
    page.get_by_label("Pick up at").select_option("KEEW")
    page.get_by_role("button", name="Place a hold").click()
    page.wait_for_load_state()
    assert (
        "Your hold is placed. You are number 1 in line." in page.locator(".decision").inner_text()
    )
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Back to your account").click()
    page.wait_for_load_state()
    hold = page.locator("li.hold")
    assert record.title in hold.inner_text()
    assert hold.locator(".hold-position").inner_text() == "number 1 in line"
    assert accessibility_violations(page) == []
