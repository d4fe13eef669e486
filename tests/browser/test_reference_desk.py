"""In a real browser: a patron asks a librarian and links the question to her account; a
librarian takes the oldest question, has an opinion refused by the answer checker, answers
with facts and sources instead; the patron reads the answer with its sources by her private
link and in her account. Every page passes axe-core's WCAG 2.1 AA checks."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, DEMO_PASSWORD, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "When was the Lakeside town hall built?"
FACTS = "The town hall was built in 1891, according to the Lakeside Historical Society."


def test_a_patron_asks_and_a_librarian_answers_with_a_source(site, page):
    from libdesk.catalog.models import Record

    record = Record.objects.order_by("pk").first()

    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill(AVERY)
    page.get_by_label("PIN").fill(PINS[AVERY])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    page.get_by_role("link", name="Ask a librarian").click()
    page.wait_for_url("**/ask-a-librarian/")
    assert accessibility_violations(page) == []
    page.get_by_label("Your question", exact=True).fill(QUESTION)
    page.get_by_label("What is it about?").select_option("local_history")
    page.get_by_label("Link this question to my account").check()
    page.get_by_role("button", name="Send my question").click()
    page.get_by_role("heading", name="Your question was sent").wait_for()
    assert accessibility_violations(page) == []
    link = page.locator(".private-link a").get_attribute("href")
    page.goto(link)
    assert "Waiting for a librarian" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []

    librarian = page.context.browser.new_context(locale="en-CA").new_page()
    librarian.goto(site + "/staff/")
    librarian.get_by_label("Username").fill("librarian")
    librarian.get_by_label("Password").fill(DEMO_PASSWORD)
    librarian.get_by_label("Workstation").select_option("MAIN-DESK-1")
    librarian.get_by_role("button", name="Sign in").click()
    librarian.wait_for_url(lambda url: "/sign-in/" not in url)
    librarian.get_by_role("link", name="Reference desk").first.click()
    librarian.wait_for_url("**/staff/reference/")
    assert QUESTION not in librarian.locator("main").inner_text()
    assert accessibility_violations(librarian) == []
    librarian.get_by_role("button", name="Take the oldest question").click()
    librarian.wait_for_url("**/staff/reference/*/")
    assert QUESTION in librarian.locator("main").inner_text()
    assert accessibility_violations(librarian) == []

    librarian.get_by_label("Answer", exact=True).fill("In my opinion, you should read a guide.")
    librarian.get_by_role("button", name="Send the answer").click()
    librarian.locator(".checker-findings").wait_for()
    assert "“In my opinion”" in librarian.locator(".checker-findings").inner_text()
    assert accessibility_violations(librarian) == []

    librarian.get_by_label("Answer", exact=True).fill(FACTS)
    librarian.get_by_label("Catalogue record number").fill(str(record.pk))
    librarian.get_by_label("Web address of a source").fill("https://example.org/town-hall")
    librarian.get_by_label("Title of that web page").fill("Town hall history")
    librarian.get_by_role("button", name="Send", exact=True).click()
    librarian.get_by_text("Answer sent.").wait_for()
    assert accessibility_violations(librarian) == []
    librarian.context.close()

    page.goto(link)
    main = page.locator("main")
    assert FACTS in main.inner_text()
    assert main.get_by_role("link", name="Town hall history").get_attribute("href") == (
        "https://example.org/town-hall"
    )
    assert main.get_by_role("link", name=record.title[:40]).count() == 1
    assert accessibility_violations(page) == []
    page.goto(site + "/account/")
    page.get_by_role("link", name="Your questions to a librarian").click()
    page.wait_for_url("**/account/questions/")
    assert FACTS in page.locator("main").inner_text()
    assert accessibility_violations(page) == []
