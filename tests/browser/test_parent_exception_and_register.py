"""In a real browser: a guardian follows their account's link to a child's loans; a clerk
records a third-party request and reads the refusal; the privacy officer decides it in the
register. Every page passes axe-core's WCAG 2.1 AA checks."""

import re

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import DEMO_PASSWORD, JORDAN, PINS, demo_code

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CODE = "Code from your authenticator app, or a recovery code"


def test_a_guardian_follows_the_account_link_to_the_childs_loans(site, page):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.catalog.models import Item
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.patrons.models import Patron

    clerk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    item = Item.objects.select_related("record").get(barcode="39000000000001")
    services.checkout(clerk, Patron.objects.get(card_number="29000000000011"), item.barcode)

    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill(JORDAN)
    page.get_by_label("PIN").fill(PINS[JORDAN])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    page.get_by_role("link", name="Your children's accounts").click()
    page.wait_for_url("**/account/children/")
    assert page.locator("h1").inner_text() == "Your children's accounts"
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Sam Kakegamic").click()
    page.wait_for_url("**/account/children/*/")
    assert page.locator("h1").inner_text() == "Sam Kakegamic"
    assert item.record.title in page.locator("main").inner_text()
    assert "29000000000011" not in page.url
    assert accessibility_violations(page) == []


def test_a_request_is_refused_at_the_desk_and_decided_in_the_register(site, page):
    def sign_in(username: str) -> None:
        page.goto(site + "/staff/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_label("Workstation").select_option("MAIN-DESK-1")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url or "/sign-in/code/" in url)
        if "/sign-in/code/" in page.url:
            page.get_by_label(CODE).fill(demo_code(username))
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/sign-in/" not in url)

    sign_in("clerk")
    page.goto(site + "/staff/desk/")
    page.get_by_role("link", name="Record a request for someone else's information").click()
    page.wait_for_url("**/third-party-requests/new/")
    assert accessibility_violations(page) == []
    page.get_by_label("Who is asking").select_option("employer")
    page.get_by_label("Their name or organisation, as they gave it").fill("Lakeside Mill")
    page.get_by_label("Whom they asked about, as they named the person").fill("Avery")
    page.get_by_label("What they asked for, in their words").fill("What she borrowed.")
    page.get_by_role("button", name="Record the request").click()
    # Its number comes from the table's id, which earlier tests in this worker may have used.
    recorded = page.get_by_text(re.compile(r"Request recorded: TPR-\d{5}"))
    recorded.wait_for()
    number = re.search(r"TPR-\d{5}", recorded.inner_text()).group()
    assert "Your card is yours alone" in page.locator(".decision").inner_text()
    assert accessibility_violations(page) == []

    page.context.clear_cookies()
    sign_in("privacy")
    page.goto(site + "/staff/privacy/register/")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name=number).first.click()
    page.wait_for_url("**/staff/privacy/register/*/")
    assert accessibility_violations(page) == []
    page.get_by_label("Legal authority shown").select_option("none")
    page.get_by_label("Decision", exact=True).select_option("refused")
    page.get_by_role("button", name="Add to the register").click()
    page.get_by_text("The decision is in the register.").wait_for()
    assert "Refused" in page.locator("ol.decisions").inner_text()
