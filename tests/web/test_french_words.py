"""Interface words around data, in the page's language: the Head Librarian's contact line
(the address is data, the sentence is not) and the branch of each program on the staff's
list of events (its name, never its code)."""

import re
from html import unescape

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))


@pytest.mark.parametrize(
    ("language", "sentence", "not_there"),
    [
        ("en", "Or ask at any branch desk, or write to the Head Librarian:", "écrivez"),
        ("fr", "ou écrivez à la bibliothécaire en chef :", "Ask at any branch desk"),
    ],
)
def test_the_head_librarians_contact_line_is_in_the_page_language(
    demo_library, language, sentence, not_there
):
    client = Client()
    client.cookies["libdesk_language"] = language
    response = client.get("/ask-why/", {"clause": "OP-02-01-01/purpose"})
    assert response.status_code == 200
    page = _text(response.content.decode())
    assert f"{sentence} {demo_library.head_librarian_contact}" in page
    assert not_there not in page


def test_the_staff_list_of_events_names_each_branch(staff_client):
    from libdesk.programs.models import Event

    head = staff_client("head")
    head.cookies["libdesk_language"] = "fr"
    html = unescape(head.get("/staff/events/").content.decode())
    cells = re.findall(r"<td>([^<]*)</td>", html)
    event = Event.objects.filter(room__gt="").select_related("branch").first()
    assert f"{event.branch.name}, {event.room}" in cells
    assert not any(re.match(r"(MAIN|KEEW)\b", cell) for cell in cells)
