"""The privacy pages as a patron uses them, in Chromium: from the account to consent, the
reading history, the download and the closing plan; each page passes axe's WCAG checks."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser):
    """A page that may download (the conftest's page may not)."""
    context = browser.new_context(locale="en-CA", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_patron_chooses_keeps_downloads_and_reads_what_closing_does(site, page):
    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill(AVERY)
    page.get_by_label("PIN").fill(PINS[AVERY])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your privacy and your data").click()
    assert page.locator("h1").inner_text() == "Your privacy and your data"
    assert accessibility_violations(page) == []

    page.get_by_label("Keep my reading history").check()
    page.get_by_role("button", name="Save my choices").click()
    assert page.get_by_text("Your choices were saved.").is_visible()
    assert page.get_by_label("Keep my reading history").is_checked()
    answers = page.get_by_role("table", name="Your answers on record").inner_text()
    assert "Keep my reading history" in answers and "OP-02-01-01 v1" in answers

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert download.value.suggested_filename == "my-library-data.json"

    page.get_by_role("link", name="See or delete your reading history").click()
    assert page.get_by_text("You chose to keep a reading history").is_visible()
    assert accessibility_violations(page) == []

    page.goto(site + "/account/privacy/close/")
    plan = page.get_by_role("table", name="What closing your account does").inner_text()
    assert "Reading history" in plan and "Active holds are cancelled" in plan
    assert page.get_by_role("button", name="Close my account").is_visible()
    assert accessibility_violations(page) == []
