"""The catalogue as a patron uses it in a browser: result pages, "did you mean", a hold from a
result, saved lists, the hold form, and the pages on a 360-pixel phone, each axe-clean."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import AVERY, PINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 360, "height": 740}


def sign_in(page, site: str) -> None:
    page.goto(site + "/account/sign-in/")
    page.get_by_label("Library card number").fill(AVERY)
    page.get_by_label("PIN").fill(PINS[AVERY])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def search(page, site: str, words: str) -> None:
    page.goto(site + "/search/")
    page.get_by_label("Search the catalogue").fill(words)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_pages_of_results_and_did_you_mean(site, page):
    search(page, site, "histroy")
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "history"
    suggestion.click()
    page.wait_for_load_state()
    assert page.locator("#results-heading").inner_text().startswith("Results 1–20 of")
    pager = page.get_by_role("navigation", name="Pages")
    current = pager.get_by_role("link", name="Page 1", exact=True)
    assert current.get_attribute("aria-current") == "page"
    pager.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#results-heading").inner_text().startswith("Results 21–40 of")
    assert accessibility_violations(page) == []
    pager = page.get_by_role("navigation", name="Pages")
    pager.get_by_role("link", name="Previous page").click()
    page.wait_for_load_state()
    assert page.locator("#results-heading").inner_text().startswith("Results 1–20 of")


def test_a_search_that_finds_nothing_offers_broader_searches_that_work(site, page):
    page.goto(site + "/search/?q=author%3Agardening")
    assert page.locator("#results-heading").inner_text() == "Nothing found"
    broader = page.locator("ul.broader a")
    assert broader.count() >= 1
    broader.first.click()
    page.wait_for_load_state()
    assert page.locator("#results-heading").inner_text().startswith("Results")
    assert accessibility_violations(page) == []


def test_a_patron_places_a_hold_from_a_result(site, page):
    sign_in(page, site)
    search(page, site, "history")
    first = page.locator(".result").first
    title = first.locator("h3 a").inner_text()
    first.get_by_role("button", name=f"Place a hold on {title}").click()
    page.wait_for_load_state()
    assert title in page.content()
    assert "in line" in page.locator("main").inner_text() or "ready" in page.content()
    page.goto(site + "/account/")
    assert title in page.locator("main").inner_text()


def test_a_saved_list_round_trip(site, page):
    sign_in(page, site)
    search(page, site, "history")
    first = page.locator(".result").first
    title = first.locator("h3 a").inner_text()
    first.get_by_role("button", name=f"Save {title} to the list").click()
    page.wait_for_load_state()
    assert "Added to “My list”." in page.locator("main").inner_text()
    page.goto(site + "/account/")
    page.get_by_role("link", name="Your saved lists of books and more").click()
    page.wait_for_load_state()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="My list").click()
    page.wait_for_load_state()
    assert title in page.locator("main").inner_text()
    assert accessibility_violations(page) == []
    page.get_by_label("Name of the list").fill("Histories")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Histories", level=1).is_visible()
    page.get_by_role("button", name=f"Remove {title} from the list").click()
    page.wait_for_load_state()
    assert "Nothing on this list yet" in page.locator("main").inner_text()
    page.get_by_role("button", name="Delete the list").click()
    page.wait_for_load_state()
    assert "You have no saved list yet" in page.locator("main").inner_text()


def test_hold_form_checkboxes_sit_beside_their_labels(site, page):
    sign_in(page, site)
    search(page, site, "history")
    page.locator(".result h3 a").first.click()
    page.wait_for_load_state()
    box = page.get_by_label("Any edition or format will do")
    label = page.locator("label", has_text="Any edition or format will do")
    box_at, label_at = box.bounding_box(), label.bounding_box()
    assert box_at["width"] < 30
    assert 0 <= label_at["x"] - (box_at["x"] + box_at["width"]) < 20
    assert abs((box_at["y"] + box_at["height"] / 2) - (label_at["y"] + label_at["height"] / 2)) < 12
    large_print = page.get_by_label("Large print")
    assert large_print.bounding_box()["width"] < 30
    large_print.check()
    assert accessibility_violations(page) == []
    page.goto(site + "/account/")
    assert accessibility_violations(page) == []


def test_results_and_record_pages_fit_a_phone(site, browser):
    context = browser.new_context(locale="en-CA", viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, site)
        search(page, site, "history")
        assert no_sideways_scroll(page) <= 360
        assert accessibility_violations(page) == []
        page.locator(".result h3 a").first.click()
        page.wait_for_load_state()
        assert no_sideways_scroll(page) <= 360
        assert accessibility_violations(page) == []
        page.goto(site + "/search/")
        page.get_by_label("Search the catalogue").fill("history")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        page.locator(".result h3 a").nth(3).click()
        page.wait_for_load_state()
        assert no_sideways_scroll(page) <= 360
    finally:
        context.close()
