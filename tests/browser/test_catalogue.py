"""A patron searches the catalogue, narrows by a facet, and opens a record."""

import pytest

from tests.browser.conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_search_refine_and_open_a_record(site, page):
    page.goto(site + "/")
    page.get_by_label("Search the catalogue").fill("history")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    heading = page.locator("#results-heading").inner_text()
    assert heading.startswith("Results 1–20 of")
    assert accessibility_violations(page) == []
    page.locator(".facets").get_by_role("link", name="Keewatin").click()
    page.wait_for_load_state()
    assert "available_at=KEEW" in page.url
    assert "Remove Available now at: Keewatin" in page.locator(".facets").inner_text()
    page.locator(".result h3 a").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Copies").is_visible()
    assert "Keewatin" in page.locator("table.copies").inner_text()
    assert accessibility_violations(page) == []
