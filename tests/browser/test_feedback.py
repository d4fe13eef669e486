"""A patron signs a comment from the footer; a librarian files it and responds; the patron
reads the response in their account. Every page passes axe-core's WCAG 2.1 AA checks."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, DEMO_PASSWORD, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_signed_comment_is_answered_in_the_account(site, page, browser):
    page.goto(site + "/account/sign-in/")
    page.get_by_label("Card number").fill(AVERY)
    page.get_by_label("PIN").fill(PINS[AVERY])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Comments welcome: tell us how we are doing").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your comments are welcome"
    assert accessibility_violations(page) == []
    page.get_by_label("Your comment", exact=True).fill("Please keep the reading room open later.")
    page.get_by_label("How well did we meet your expectations?").select_option("4")
    page.get_by_label("Sign it with my account").check()
    page.get_by_label("I would like a reply").check()
    page.get_by_role("button", name="Send my comment").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Thank you for your comment"
    assert accessibility_violations(page) == []

    staff = browser.new_context(locale="en-CA").new_page()
    staff.goto(site + "/staff/")
    staff.get_by_label("Username").fill("librarian")
    staff.get_by_label("Password").fill(DEMO_PASSWORD)
    staff.get_by_label("Workstation").select_option("MAIN-DESK-1")
    staff.get_by_role("button", name="Sign in").click()
    staff.wait_for_load_state()
    staff.goto(site + "/staff/comments/")
    assert accessibility_violations(staff) == []
    staff.get_by_role("link", name="Please keep the reading room open later.").click()
    staff.wait_for_load_state()
    assert "Avery Lindqvist" in staff.locator("main").inner_text()
    assert accessibility_violations(staff) == []
    staff.get_by_label("Theme", exact=True).select_option("hours")
    staff.get_by_role("button", name="Save").first.click()
    staff.wait_for_load_state()
    staff.get_by_label("Response", exact=True).fill("We are looking at later hours.")
    staff.get_by_role("button", name="Send the response").click()
    staff.wait_for_load_state()
    assert "Response sent." in staff.locator("main").inner_text()

    page.goto(site + "/account/comments/")
    assert "We are looking at later hours." in page.locator("main").inner_text()
    assert accessibility_violations(page) == []
