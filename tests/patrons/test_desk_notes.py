"""A note on a patron's account for the next visit: staff add it while serving, whoever serves
the patron next sees it first, clearing deletes it; every read and change is audited, by id."""

from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.patrons.models import Patron, PatronNote
from tests.conftest import AVERY, BEATRICE

pytestmark = pytest.mark.django_db


def serve(client, card: str = AVERY) -> str:
    response = client.post("/staff/desk/card/", {"card": card})
    assert response.status_code == 302
    return response["Location"]


def notes_box(html: str) -> str:
    html = unescape(html)
    if 'class="desk-notes"' not in html:
        return ""
    start = html.index('class="desk-notes"')
    return html[start : html.index("</section>", start)]


def test_a_note_is_shown_when_the_patron_is_next_served(staff_client):
    clerk = staff_client("clerk")
    page = serve(clerk)
    assert notes_box(clerk.get(page).content.decode()) == ""
    added = clerk.post(page + "note/", {"text": "  The atlas from Keewatin is on the shelf  "})
    assert added.status_code == 302
    clerk.post(page + "end/")
    librarian = staff_client("librarian", workstation="KEEW-DESK-1")
    box = notes_box(librarian.get(serve(librarian)).content.decode())
    assert "The atlas from Keewatin is on the shelf" in box
    assert "Circulation clerk, MAIN" in box
    avery = Patron.objects.get(card_number=AVERY)
    note = PatronNote.objects.get(patron=avery)
    added_entry = AuditEntry.objects.get(action="patron.note.add")
    assert (added_entry.object_id, added_entry.patron_id) == (str(note.pk), avery.pk)
    assert "atlas" not in str(AuditEntry.objects.values_list())  # ids only, never the words
    reads = AuditEntry.objects.filter(action="patron.read", patron_id=avery.pk, data_kind="notes")
    assert reads.count() == 2  # once per visit: the clerk's and the librarian's


def test_clearing_a_note_deletes_it(staff_client):
    clerk = staff_client()
    page = serve(clerk)
    clerk.post(page + "note/", {"text": "Asked about large print"})
    note = PatronNote.objects.get()
    assert clerk.post(page + "clear-note/", {"note_id": note.pk}).status_code == 302
    assert not PatronNote.objects.exists()
    assert AuditEntry.objects.filter(action="patron.note.clear", object_id=str(note.pk)).exists()
    assert notes_box(clerk.get(page).content.decode()) == ""


def test_a_note_on_another_patron_cannot_be_cleared_from_this_account(staff_client):
    clerk = staff_client()
    clerk.post(serve(clerk, BEATRICE) + "note/", {"text": "Béatrice's note"})
    theirs = PatronNote.objects.get()
    page = serve(clerk, AVERY)
    clerk.post(page + "clear-note/", {"note_id": theirs.pk})
    assert PatronNote.objects.filter(pk=theirs.pk).exists()
    assert "This note is no longer on the account." in unescape(clerk.get(page).content.decode())


def test_an_empty_or_overlong_note_is_refused_with_a_reason(staff_client):
    clerk = staff_client()
    page = serve(clerk)
    clerk.post(page + "note/", {"text": "   "})
    assert "Write the note." in unescape(clerk.get(page).content.decode())
    clerk.post(page + "note/", {"text": "x" * 501})
    assert "Keep the note under 500 characters." in unescape(clerk.get(page).content.decode())
    assert not PatronNote.objects.exists()


def test_reporting_a_card_lost_asks_first(staff_client):
    clerk = staff_client()
    page = serve(clerk)
    asked = clerk.post(page + "lost/")
    assert asked.status_code == 200
    html = unescape(asked.content.decode())
    assert "Report the card ending 0001 lost?" in html
    assert 'name="confirm" value="1"' in html and f'action="{page}lost/"' in html
    assert Patron.objects.get(card_number=AVERY).card_lost_at is None
    assert clerk.post(page + "lost/", {"confirm": "1"}).status_code == 302
    assert Patron.objects.get(card_number=AVERY).card_lost_at is not None
