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


def test_the_patrons_access_log_is_in_words_in_french(staff_client):
    """Who looked at a French-speaking patron's record: the role, the branch and the kind of
    data in French words, never the log's codes (clerk, MAIN, loans, serving.open)."""
    from libdesk.patrons.models import Patron
    from tests.conftest import AVERY, PINS

    Patron.objects.filter(card_number=AVERY).update(language="fr")
    clerk = staff_client("clerk")
    clerk.get(clerk.post("/staff/desk/card/", {"card": AVERY})["Location"])
    patron = Client()
    assert patron.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]}).status_code == 302
    html = unescape(patron.get("/account/").content.decode())
    log = html.split("Qui a consulté votre dossier")[1].split("</section>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", log)
    assert {"Commis au prêt", "Main", "vos prêts", "dossier ouvert au comptoir"} <= set(cells)
    codes = {"clerk", "MAIN", "loans", "profile", "account_opened", "serving.open", "patron.read"}
    assert not codes & set(cells)
