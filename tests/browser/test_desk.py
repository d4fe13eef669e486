"""A clerk signs in at a workstation and opens a patron's account by scanning the card."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import BEATRICE, DEMO_PASSWORD, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_clerk_opens_a_patrons_account_by_card(site, page):
    page.goto(site + "/staff/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Workstation").select_option("MAIN-DESK-1")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Serve a patron at the desk").click()
    assert accessibility_violations(page) == []

    page.get_by_label("Patron's card").fill("29000000000001")
    page.get_by_role("button", name="Open account").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Avery Lindqvist"
    assert "Serving this patron: Card presented." in page.locator(".serving-basis").inner_text()
    assert "29000000000001" not in page.url
    assert accessibility_violations(page) == []

    page.get_by_role("button", name="Finish serving").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("Finished serving this patron.").is_visible()


def test_a_patron_signs_in_and_sees_who_looked_at_their_record(site, page):
    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill("29000000000002")
    page.get_by_label("PIN").fill(PINS[BEATRICE])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # Béatrice prefers French: the account speaks it from sign-in on.
    assert page.locator("h1").inner_text() == "Bonjour, Béatrice Ouellet"
    assert accessibility_violations(page) == []
