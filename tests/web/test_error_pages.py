"""403, 404 and 500 as a person meets them, with DEBUG off: the library's own page in the
patron's language with a way back (home, catalogue search, the staff home for staff) and the
library's contact; a 403 logs one line, not a traceback; the favicon."""

import logging

import pytest
from defusedxml import ElementTree
from django.template import loader
from django.test import Client
from django.utils import translation

from tests.html_ids import dangling_references

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_a_missing_page_offers_a_way_back_and_the_librarys_contact(client, demo_library):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert 'href="/"' in page and 'href="/search/"' in page and 'href="/branches/"' in page
    assert demo_library.head_librarian_contact in page
    assert 'href="/staff/"' not in page.split('id="way-back"')[1].split("</nav>")[0]
    assert dangling_references(page) == []


def test_the_missing_page_is_in_the_patrons_language(client, demo_library):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in page
    assert "Chercher dans le catalogue" in page and "Succursales et heures" in page


def test_staff_are_offered_the_staff_home(staff_client):
    page = staff_client("clerk").get("/staff/no-such-page/").content.decode()
    way_back = page.split('id="way-back"')[1].split("</nav>")[0]
    assert 'href="/staff/"' in way_back and 'href="/search/"' in way_back


def test_a_refusal_is_the_librarys_page_and_one_line_in_the_log(staff_client, caplog):
    clerk = staff_client("clerk")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = clerk.get("/staff/terminals/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not open to you</h1>" in page and "ask the library's administrator" in page
    assert 'href="/staff/"' in page and 'href="/search/"' in page
    assert dangling_references(page) == []
    refusals = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert len(refusals) == 1 and refusals[0].exc_info is None
    assert "Traceback" not in caplog.text and "/staff/terminals/" in caplog.text


def test_a_server_error_has_a_way_back_in_the_patrons_language(settings, demo_library):
    settings.ROOT_URLCONF = "tests.web.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/fails/", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in page and "Chercher dans le catalogue" in page
    assert 'href="/"' in page and 'href="/search/"' in page
    assert dangling_references(page) == []


def test_the_server_error_page_needs_no_request_nor_database(django_assert_num_queries):
    with translation.override("en"), django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
    assert "<h1>Something went wrong</h1>" in page and 'href="/search/"' in page


def test_the_favicon_is_linked_from_every_page_and_answered_at_favicon_ico(client, demo_library):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/libdesk/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"] == "/static/libdesk/favicon.svg"
    svg = client.get(icon["Location"])
    body = b"".join(svg.streaming_content) if svg.streaming else svg.content
    assert (
        svg.status_code == 200
        and ElementTree.fromstring(body).tag == "{http://www.w3.org/2000/svg}svg"
    )
