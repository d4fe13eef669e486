"""A patron registers for a full program (waitlisted, with their place in line); someone
with a place cancels from their account; the patron is given the place: their account says
registered, and the notice comes by e-mail."""

import pytest
from django.core import mail

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, BEATRICE, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page, site: str, card: str) -> None:
    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill(card)
    page.get_by_label("PIN").fill(PINS[card])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_patron_waitlisted_for_a_full_program_is_promoted_when_someone_cancels(site, browser):
    avery = browser.new_context(locale="en-CA").new_page()
    sign_in(avery, site, AVERY)
    avery.goto(site + "/events/")
    avery.get_by_role("link", name="Tablet help for seniors").click()
    assert "Full." in avery.locator(".event-facts").inner_text()
    avery.get_by_role("button", name="Join the waitlist").click()
    avery.wait_for_load_state()
    assert (
        "You are on the waitlist, number 1 in line."
        in avery.locator(".registration-status").inner_text()
    )
    assert accessibility_violations(avery) == []

    beatrice = browser.new_context(locale="en-CA").new_page()
    sign_in(beatrice, site, BEATRICE)
    beatrice.goto(site + "/account/events/")  # in French, her language
    beatrice.get_by_role("listitem").filter(has_text="Aide aux tablettes").locator("button").click()
    beatrice.wait_for_load_state()
    hers = beatrice.get_by_role("listitem").filter(has_text="Aide aux tablettes")
    assert hers.locator(".registration-status").get_attribute("data-status") == "cancelled"
    assert beatrice.get_by_role("status").is_visible()  # the message that it is done

    avery.goto(site + "/account/events/")
    line = avery.get_by_role("listitem").filter(has_text="Tablet help for seniors")
    assert "registered (a place opened for you)" in line.inner_text()
    assert line.get_by_role("button", name="Decline this place").is_visible()
    assert accessibility_violations(avery) == []
    notices = [m for m in mail.outbox if "A place opened for you" in m.subject]
    assert [m.to for m in notices] == [["avery@example.org"]]
    avery.context.close()
    beatrice.context.close()
