"""A patron reads the site in French and every page passes axe-core's WCAG 2.1 AA checks."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_home_and_policy_page_in_french_are_accessible(site, page):
    page.goto(site + "/")
    assert page.locator("h1").inner_text() == "Welcome to Kenora Public Library"
    assert accessibility_violations(page) == []

    page.select_option("#language-select", "fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Bienvenue à Kenora Public Library"
    assert accessibility_violations(page) == []

    page.get_by_role("link", name="Service à la clientèle").first.click()
    page.wait_for_load_state()
    assert "Service à la clientèle" in page.locator("h1").inner_text()
    assert page.get_by_text("Cette traduction n'est pas officielle").is_visible()
    assert page.locator("article.clause").count() == 12
    assert accessibility_violations(page) == []

    page.locator("#equal-respect").get_by_role("link", name="Demander pourquoi").click()
    page.wait_for_load_state()
    assert page.locator("h2#clause-title").inner_text() == "Chaque demande a la même importance"
    assert accessibility_violations(page) == []


def test_the_language_choice_is_remembered_across_pages(site, page):
    page.goto(site + "/branches/")
    page.select_option("#language-select", "fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    page.goto(site + "/policies/")
    assert page.locator("h1").inner_text() == "Nos politiques"
    page.goto(site + "/branches/")
    assert page.locator("h1").inner_text() == "Succursales et heures"
    assert accessibility_violations(page) == []


def test_staff_sign_in_and_home_are_accessible(site, page):
    page.goto(site + "/staff/")
    assert accessibility_violations(page) == []
    page.get_by_label("Username").fill("head")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Workstation").select_option("MAIN-DESK-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Policy reviews due").is_visible()
    assert "OP-02-01-01 Customer Service" in page.locator("table.reviews-due").inner_text()
    assert accessibility_violations(page) == []
