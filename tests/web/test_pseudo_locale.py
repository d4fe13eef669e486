"""Both languages complete: one URL per web route, on the patron and the staff side, rendered
in a pseudo-locale where every string marked for translation shows between ⟪ and ⟫; any other
text on the page that is not data (catalogue, names, branches, the policy's own text, numbers,
dates, codes) was left unmarked, and would stay English on a French page.

The routes and the persona that sees each page come from the door matrix
(tests/doors/crawl.py); pages are fetched by GET only, and a route that only accepts POST
answers 405 or 404 to GET (the door matrix posts to it instead).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from tests.doors.crawl import build_world, crawl_plan, is_page
from tests.doors.pseudo_locale import PSEUDO, Data, install, unmarked
from tests.privacy.test_door_matrix import WEB, WEB_POSTS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def pseudo_locale(settings):
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]
    settings.FORMAT_MODULE_PATH = ["tests.doors.pseudo_formats", *settings.FORMAT_MODULE_PATH]
    install()


def fetch(world, visit):
    """The page at the end of the visit's redirects, in the pseudo-locale; nothing it changes
    stays."""
    browser = world.browsers[visit.persona]
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = PSEUDO
    with transaction.atomic():
        response = browser.get(visit.url, follow=True)
        transaction.set_rollback(True)
    return response


def test_every_page_marks_all_its_interface_text(demo_library, pseudo_locale):
    world = build_world()
    data = Data.from_database()
    found, pages, post_only = [], 0, []
    for visit in crawl_plan(world, WEB):
        response = fetch(world, visit)
        if response.status_code in (404, 405) and visit.name in WEB_POSTS:
            post_only.append(visit.name)  # a form's target, with no page of its own
            continue
        assert response.status_code < 400, f"{visit}: {response.status_code}"
        if not is_page(response):
            continue  # a feed, a calendar file, a download
        pages += 1
        found.extend(
            f"{visit.url} ({visit.name}, as {visit.persona}): {text!r}"
            for text in unmarked(response.content.decode(), data)
        )
    assert pages > 60
    assert found == [], "text left unmarked:\n" + "\n".join(dict.fromkeys(found))


def test_a_template_string_left_unmarked_is_caught(demo_library, pseudo_locale, settings, tmp_path):
    """The branches page, with one sentence a template added without {% translate %}."""
    real = Path(__file__).parents[2] / "src/libdesk/web/templates/web/branches.html"
    changed = real.read_text().replace(
        "<h1>", "<p>Opening soon: a new branch</p>\n<h1 title='Our branches'>", 1
    )
    (tmp_path / "web").mkdir()
    (tmp_path / "web/branches.html").write_text(changed)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    install()

    world = build_world()
    [visit] = [v for v in crawl_plan(world, WEB) if v.name == "web:branches"]
    html = fetch(world, visit).content.decode()

    assert "⟪Branches and hours⟫" in html
    assert unmarked(html, Data.from_database()) == ["Opening soon: a new branch", "Our branches"]
