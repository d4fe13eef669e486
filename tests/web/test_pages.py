"""The public and staff shells through HTTP: pages, headers, languages, static files."""

import re
from datetime import date, datetime
from html import unescape

import pytest

from libdesk.core import clock
from libdesk.library.models import Branch, ClosedDay

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/branches/",
    "/policies/",
    "/policies/OP-02-01-01/",
    "/account/sign-in/",
    "/staff/sign-in/",
    "/ask-why/?clause=OP-02-01-01%2Fpurpose",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_carries_the_security_headers(client, demo_library, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", PAGES)
def test_no_page_loads_anything_from_another_site(client, demo_library, url):
    page = client.get(url).content.decode()
    sources = re.findall(r'(?:src|href|action)="([^"]*)"', page)
    assert sources
    assert not [s for s in sources if re.match(r"(https?:)?//", s)]
    assert "<script>" not in page and " style=" not in page  # nothing inline for the CSP to block


def test_static_files_are_served_by_libdesk_itself(client, demo_library):
    page = client.get("/").content.decode()
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_home_names_the_library_and_its_branches(client, demo_library):
    page = client.get("/").content.decode()
    assert "Welcome to Kenora Public Library" in page
    assert "Keewatin" in page and '<html lang="en">' in page


def test_the_browsers_language_is_used(client, demo_library):
    page = unescape(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode())
    assert '<html lang="fr">' in page
    assert "Bienvenue à Kenora Public Library" in page
    assert "Aller au contenu principal" in page


def test_the_language_switcher_remembers_the_choice_in_a_cookie(client, demo_library):
    response = client.post("/i18n/language/", {"language": "fr", "next": "/branches/"})
    assert response.status_code == 302 and response["Location"] == "/branches/"
    assert response.cookies["libdesk_language"].value == "fr"
    page = client.get("/branches/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Succursales et heures" in page
    assert "/fr/" not in page  # no language in URLs


def test_branches_show_address_hours_and_whether_open_now(client, demo_library):
    tuesday_evening = datetime(2026, 11, 24, 18, 30, tzinfo=clock.library_zone())
    with clock.travel_to(tuesday_evening):
        page = client.get("/branches/").content.decode()
    keewatin, main = page.split('id="branch-MAIN"')
    assert "24 Main Street South" in main and "Open now, until 8 p.m." in main
    assert "221 Ottawa Street" in keewatin and "Open now, until 7 p.m." in keewatin
    with clock.travel_to(datetime(2026, 11, 29, 11, 0, tzinfo=clock.library_zone())):  # Sunday
        assert client.get("/branches/").content.decode().count("Closed now") == 2


def test_a_closed_day_is_named_on_the_branches_page(client, demo_library):
    ClosedDay.objects.create(branch=None, date=date(2026, 12, 25), name="Christmas Day")
    with clock.travel_to(datetime(2026, 12, 25, 12, 0, tzinfo=clock.library_zone())):
        page = client.get("/branches/").content.decode()
    assert page.count("Closed today: Christmas Day") == Branch.objects.count()


def test_branches_api(client, demo_library):
    branches = client.get("/api/v1/branches").json()
    assert [b["code"] for b in branches] == ["KEEW", "MAIN"]
    assert branches[1]["hours"][0] == {"weekday": 0, "opens": "10:00:00", "closes": "20:00:00"}


def test_staff_home_needs_a_sign_in(client, demo_library):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")


def test_staff_home_shows_the_policy_reviews_due(staff_client):
    client = staff_client("head")
    with clock.travel_to(date(2026, 11, 28)):
        page = client.get("/staff/").content.decode()
    assert "Signed in as Head Librarian at MAIN-DESK-1 (Main)." in page
    assert "OP-02-01-01 Customer Service" in page
    assert "1097 days overdue" in page
    assert "27 November 2023" in page


def test_a_form_post_from_our_own_page_passes_csrf_with_a_null_origin(demo_library):
    """No-referrer makes browsers send Origin: null; Sec-Fetch-Site vouches for same-origin."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/").cookies["csrftoken"].value
    fields = {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
    ours = browser.post(
        "/i18n/language/", fields, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert ours.status_code == 302
    forged = browser.post(
        "/i18n/language/", fields, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert forged.status_code == 403
    other_site = browser.post("/i18n/language/", fields, HTTP_ORIGIN="https://evil.example")
    assert other_site.status_code == 403
    no_token = browser.post(
        "/i18n/language/", {"language": "fr"}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert no_token.status_code == 403
