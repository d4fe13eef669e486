"""Public policy pages: text, clauses with their reasons, dates, motion, supersedes, review."""

from datetime import date
from html import unescape

import pytest
from django.core.management import call_command

from libdesk.core import clock

pytestmark = pytest.mark.django_db


def test_policy_list_links_each_policy_in_force(client, demo_library):
    page = client.get("/policies/").content.decode()
    assert 'href="/policies/OP-02-01-01/"' in page
    assert "Customer Service" in page


def test_policy_page_shows_the_document_and_each_clause_with_its_reason(client, demo_library):
    response = client.get("/policies/OP-02-01-01/")
    page = response.content.decode()
    assert response.status_code == 200
    for expected in (
        "Customer Service",
        "#063-2019",  # board motion
        "#014-2015",  # what it supersedes (never registered here)
        "every 4 years",
        "27 November 2023",  # next review
        "not since adoption",
        'id="equal-respect"',
        "Nobody jumps the queue.",  # the reason behind equal-respect
        "Staff members will respond to inquiries with the best factual information",
    ):
        assert expected in page, expected
    assert page.count('class="ask-why"') == 12
    assert "/ask-why/?clause=OP-02-01-01%2Fpatrons-favour" in page


def test_policy_page_lists_the_rules_under_their_clause(client, demo_library):
    page = client.get("/policies/OP-02-01-01/").content.decode()
    section = page.split('id="equal-consideration"')[1].split("</article>")[0]
    assert "Rules that carry out this clause" in section
    assert "patron-sign-in: at most 10 attempts per address in 10 minutes" in section


def test_policy_page_in_french_shows_the_unofficial_translation(client, demo_library):
    page = unescape(
        client.get("/policies/OP-02-01-01/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    assert "Service à la clientèle" in page
    assert "Cette traduction n'est pas officielle" in page
    assert "Personne ne passe devant les autres." in page
    assert "Demander pourquoi cette politique existe" in page


def test_superseded_versions_stay_readable(client, demo_library, write_policy):
    with clock.travel_to(date(2026, 11, 28)):
        call_command("policies", "import", str(write_policy(adopted="2026-01-20")), stdout=None)
    current = client.get("/policies/OP-02-01-01/").content.decode()
    assert "Version 1" in current and "Version 2" in current
    old = client.get("/policies/OP-02-01-01/v1/").content.decode()
    assert "This version is not the one in force: Superseded." in old


def test_unknown_policy_is_404(client, demo_library):
    assert client.get("/policies/NOPE/").status_code == 404
    assert client.get("/policies/OP-02-01-01/v9/").status_code == 404


def test_ask_why_explains_the_clause_and_refers_to_the_head_librarian(client, demo_library):
    page = client.get("/ask-why/?clause=OP-02-01-01/confidentiality-loans").content.decode()
    assert "Your card is yours alone" in page
    assert "lets a parent or guardian" in page
    assert "write to the Head Librarian" in page
    french = client.get(
        "/ask-why/?clause=OP-02-01-01/confidentiality-loans", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Votre carte n'appartient qu'à vous" in unescape(french)


def test_ask_why_for_an_unknown_clause_is_404(client, demo_library):
    assert client.get("/ask-why/?clause=OP-02-01-01/nonsense").status_code == 404
    assert client.get("/ask-why/").status_code == 302
