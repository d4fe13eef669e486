"""Accessible everywhere: axe-core (WCAG 2.x A and AA) over one URL per web route, on the
patron and the staff side, in English and in French, with zero violations.

The routes, their URLs and the persona that sees each page are the pseudo-locale crawl's
(tests/doors/crawl.py). Each persona signs in once, through the same forms as the door matrix,
and its browser context carries that session; GET only.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from django.conf import settings

from tests.browser.conftest import accessibility_violations
from tests.doors.crawl import build_world, crawl_plan, html_pages
from tests.privacy.test_door_matrix import WEB, WEB_POSTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def crawl_site(live_server, transactional_db):
    """The demo library (without its big catalogue) behind a live server."""
    from libdesk.demo.loader import load_demo
    from tests.canaries import give_demo_accounts_canary_secrets

    load_demo(with_catalogue=False)
    give_demo_accounts_canary_secrets()
    return live_server.url


def _cookies(jar: SimpleCookie, url: str, language: str) -> list[dict]:
    found = [{"name": n, "value": m.value, "url": url} for n, m in jar.items() if m.value]
    return [*found, {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}]


def test_every_page_passes_axe_in_english_and_french(crawl_site, browser):
    world = build_world()
    visits = html_pages(world, crawl_plan(world, WEB), set(WEB_POSTS))
    contexts = {}
    found, pages = [], 0
    try:
        for language in ("en", "fr"):
            for visit in visits:
                if visit.persona not in contexts:
                    contexts[visit.persona] = browser.new_context(locale="en-CA")
                    contexts[visit.persona].new_page()
                context = contexts[visit.persona]
                context.add_cookies(
                    _cookies(world.browsers[visit.persona].cookies, crawl_site, language)
                )
                page = context.pages[0]
                response = page.goto(crawl_site + visit.url)
                assert response.status < 400, f"{visit} in {language}: {response.status}"
                pages += 1
                assert page.locator("html").get_attribute("lang") == language, visit
                found.extend(
                    f"{visit.url} ({visit.name}, {language}, as {visit.persona}): {violation}"
                    for violation in accessibility_violations(page)
                )
    finally:
        for context in contexts.values():
            context.close()
    assert pages > 120
    assert found == [], "axe-core's violations:\n" + "\n".join(found)
