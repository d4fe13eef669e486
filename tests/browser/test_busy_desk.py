"""A clerk at a busy desk, in a real browser: scans answered in place with the scan box empty
and focused after each, one click on an alternative, renew selected, a confirmation before a
destructive action, a keyboard-only checkout, and the serving page on one 1280x800 screen."""

from datetime import timedelta

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, BEATRICE, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FREE, TAKEN, OLDER = "39000000000001", "39000000000002", "39000000000004"


def expect(target):
    """Playwright's retrying assertions (imported here: without a browser nothing loads it)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def lend(barcode: str, card: str, days_ago: int = 0) -> None:
    """Lend a MAIN copy `days_ago` days ago (a week, where a renewal must add time on any
    weekday: a due date on a closed day moves to the next open one)."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.core import clock
    from libdesk.patrons.models import Patron

    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    with clock.travel_to(clock.now() - timedelta(days=days_ago)):
        services.checkout(desk, Patron.objects.get(card_number=card), barcode)


def sign_in_and_serve(page, site: str, card: str = AVERY) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site + "/staff/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Workstation").select_option("MAIN-DESK-1")
    page.get_by_role("button", name="Sign in").click()
    page.goto(site + "/staff/desk/")
    page.get_by_label("Patron's card").fill(card)
    page.get_by_role("button", name="Open account").click()
    page.wait_for_load_state()


def scan(page, barcode: str) -> None:
    box = page.get_by_label("Item barcode")
    box.fill(barcode)
    with page.expect_response(lambda r: "/checkout/" in r.url):
        box.press("Enter")
    expect(page.locator("#id_barcode")).to_be_focused()


def assert_scan_box_empty_and_focused(page) -> None:
    assert page.get_by_label("Item barcode").input_value() == ""
    assert page.evaluate("document.activeElement.id") == "id_barcode"


def loan_rows(page):
    return page.locator(".loans-table tbody tr")


def test_each_scan_is_answered_in_place_and_the_box_is_ready_for_the_next(site, page):
    lend(TAKEN, BEATRICE)
    sign_in_and_serve(page, site)
    assert_scan_box_empty_and_focused(page)
    page.evaluate("window.stillThisPage = true")  # gone if the page reloads

    scan(page, TAKEN)
    assert_scan_box_empty_and_focused(page)
    refusal = page.locator(".checkout-result")
    assert "The item has an open loan to another card" in refusal.inner_text()
    assert "OP-02-01-01/timely-or-alternatives" in refusal.inner_text()
    assert loan_rows(page).count() == 0

    scan(page, FREE)
    assert_scan_box_empty_and_focused(page)
    assert "Checked out. Due back on" in page.locator(".checkout-result").inner_text()
    assert loan_rows(page).count() == 1 and FREE in loan_rows(page).first.inner_text()
    assert page.evaluate("window.stillThisPage") is True  # answered in place, no reload
    assert accessibility_violations(page) == []


def test_one_click_on_an_alternative_places_the_hold(site, page):
    lend(TAKEN, BEATRICE)
    sign_in_and_serve(page, site)
    scan(page, TAKEN)
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".checkout-result h3")).to_have_text("Done")
    assert "You are number 1 in line." in page.locator(".checkout-result").inner_text()
    assert "number 1 in line" in page.locator(".holds").inner_text()
    assert_scan_box_empty_and_focused(page)


def test_renew_selected_renews_the_ticked_loans(site, page):
    lend(FREE, AVERY, days_ago=7)
    lend(OLDER, AVERY, days_ago=7)
    sign_in_and_serve(page, site)
    assert loan_rows(page).count() == 2
    first_title = loan_rows(page).first.locator("td").nth(1).inner_text()
    second_title = loan_rows(page).nth(1).locator("td").nth(1).inner_text()
    loan_rows(page).first.get_by_role("checkbox").check()
    with page.expect_response(lambda r: "/renew-selected/" in r.url):
        page.get_by_role("button", name="Renew selected").click()
    page.wait_for_selector(".renewals")
    lines = page.locator(".renewals li")
    assert lines.count() == 1
    assert first_title in lines.first.inner_text() and "Renewed, due" in lines.first.inner_text()
    renewals = {
        row.locator("td").nth(1).inner_text(): row.locator("td").nth(4).inner_text()
        for row in loan_rows(page).all()
    }
    assert renewals == {first_title: "1", second_title: "0"}


def test_cancelling_a_hold_asks_for_confirmation_first(site, page):
    lend(TAKEN, BEATRICE)
    sign_in_and_serve(page, site)
    scan(page, TAKEN)
    page.get_by_role("button", name="Place the hold").click()
    page.wait_for_selector(".holds li")
    page.locator(".holds").get_by_role("button", name="Cancel hold").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Cancel this hold?"
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="No, go back").click()
    page.wait_for_load_state()
    assert page.locator(".holds li").count() == 1  # going back changed nothing
    page.locator(".holds").get_by_role("button", name="Cancel hold").click()
    page.get_by_role("button", name="Yes, cancel the hold").click()
    page.wait_for_load_state()
    assert page.get_by_text("No holds.").is_visible()


def test_a_keyboard_only_checkout(site, page):
    """Tab, Enter, Space and the shortcuts shown on the page: never the mouse."""
    lend(OLDER, AVERY, days_ago=7)
    sign_in_and_serve(page, site, card=BEATRICE)  # signed in; then the keyboard alone
    with page.expect_navigation():
        page.keyboard.press("Alt+x")  # finish serving Béatrice: back to the desk
    assert page.evaluate("document.activeElement.name") == "card"  # the desk's card box
    page.keyboard.type(AVERY)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Avery Lindqvist"
    assert page.locator(".shortcuts").is_visible()

    page.keyboard.press("Tab")  # focus moves away from the scan box...
    page.keyboard.press("Alt+b")  # ...and the shortcut brings it back
    assert page.evaluate("document.activeElement.id") == "id_barcode"
    page.keyboard.type(FREE)
    with page.expect_response(lambda r: "/checkout/" in r.url):
        page.keyboard.press("Enter")
    expect(loan_rows(page)).to_have_count(2)
    assert_scan_box_empty_and_focused(page)

    page.keyboard.press("Alt+n")
    assert page.evaluate("document.activeElement.id") == "note-text"
    page.keyboard.type("Wants the sequel when it comes in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Wants the sequel" in page.locator(".desk-notes").inner_text()

    page.keyboard.press("Escape")  # back to the scan box from anywhere
    assert page.evaluate("document.activeElement.id") == "id_barcode"
    with page.expect_response(lambda r: "/renew-all/" in r.url):
        page.keyboard.press("Alt+r")
    page.wait_for_selector(".renewals")
    assert page.locator(".renewals li").count() == 2
    with page.expect_navigation():
        page.keyboard.press("Alt+x")
    assert page.get_by_text("Finished serving this patron.").is_visible()


def test_the_serving_page_fits_one_screen_at_1280_by_800(site, page):
    lend(OLDER, AVERY, days_ago=7)
    lend("39000000000005", AVERY, days_ago=7)
    sign_in_and_serve(page, site)
    scan(page, FREE)
    expect(loan_rows(page)).to_have_count(3)  # htmx swaps the row in after the response
    height = page.viewport_size["height"]
    assert page.evaluate("window.scrollY") == 0
    for part in (".desk-summary", "#id_barcode", ".loans"):
        box = page.locator(part).bounding_box()
        assert box is not None and box["y"] >= 0, part
        assert box["y"] + box["height"] <= height, (part, box, height)
    summary, scan_box = page.locator(".desk-summary"), page.locator("#id_barcode")
    assert summary.bounding_box()["x"] < scan_box.bounding_box()["x"]  # side by side
    assert accessibility_violations(page) == []


def test_the_serving_page_works_without_javascript(site, browser):
    context = browser.new_context(locale="en-CA", java_script_enabled=False)
    page = context.new_page()
    try:
        lend(TAKEN, BEATRICE)
        sign_in_and_serve(page, site)
        page.get_by_label("Item barcode").fill(TAKEN)
        page.get_by_role("button", name="Check out", exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_label("Item barcode").input_value() == ""
        page.get_by_role("button", name="Place the hold").click()
        page.wait_for_load_state()
        assert "You are number 1 in line." in page.locator(".checkout-result").inner_text()
        page.get_by_label("Item barcode").fill(FREE)
        page.get_by_role("button", name="Check out", exact=True).click()
        page.wait_for_load_state()
        assert loan_rows(page).count() == 1
    finally:
        context.close()
