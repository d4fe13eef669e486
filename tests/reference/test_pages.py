"""Ask a librarian through the web doors: the public form and its private link, the patron's
own questions, and the librarians' pages (queue, taking the oldest question, the question's
page, answering with sources past the answer checker, closing), the desk's entry of questions,
the directory and the board's figures. The real answer checker reads every answer here."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.reference.models import Answer, ConsumerSource, Question
from tests.circulation.conftest import Shelf
from tests.conftest import AVERY, BEATRICE, PINS

pytestmark = pytest.mark.django_db

FLAGGED = "In my opinion, you should buy the Acme kettle."
FACTS = "The town hall was built in 1891, according to the Lakeside Historical Society."


def ask(client: Client, text: str = "How old is the town hall?", **fields):
    data = {"text": text, "topic": "local_history", "language": "en", **fields}
    response = client.post("/ask-a-librarian/", data)
    cache.clear()  # the form's per-address count
    return response


def private_link(response) -> str:
    found = re.search(r'href="https?://[^/]+(/ask-a-librarian/answer/[^"]+/)"', text(response))
    assert found, text(response)[:3000]
    return found.group(1)


def text(response) -> str:
    return unescape(response.content.decode())


def patron(card: str = AVERY) -> Client:
    browser = Client()
    assert browser.post("/account/sign-in/", {"card": card, "pin": PINS[card]}).status_code == 302
    cache.clear()
    return browser


@pytest.fixture
def librarian(staff_client):
    browser = staff_client("librarian")
    cache.clear()
    return browser


def take_oldest(browser: Client) -> str:
    response = browser.post("/staff/reference/claim-next/")
    assert response.status_code == 302, text(response)[:2000]
    return response["Location"]


@pytest.fixture
def office(demo_library):
    return ConsumerSource.objects.create(
        name_en="Consumer Protection Office",
        name_fr="Office de la protection du consommateur",
        url="https://example.org/consumers",
        topic="local_history",
        kind="government_office",
    )


def test_an_anonymous_asker_comes_back_by_private_link_for_the_answer(client, librarian):
    asked = ask(client, contact_email="")
    assert asked.status_code == 200
    link = private_link(asked)
    page = text(client.get(link))
    assert "How old is the town hall?" in page
    assert "Waiting for a librarian" in page
    assert "There is no answer yet." in page
    question = Question.objects.get()
    assert link.split("/")[-2] not in question.access_key_hash  # only the hash is kept
    assert question.patron_id is None and question.channel == "web"

    record = Shelf().record("A history of Lakeside")
    url = take_oldest(librarian)
    assert url == f"/staff/reference/{question.pk}/"
    assert "A librarian is working on it" in text(client.get(link))
    sent = librarian.post(
        url + "answer/",
        {
            "text": FACTS,
            "language": "en",
            "record_id": record.pk,
            "url": "https://example.org/town-hall",
            "url_label": "Town hall history",
        },
    )
    assert sent.status_code == 302, text(sent)[:3000]
    page = text(client.get(link))
    assert "Answered" in page and FACTS in page
    assert f'href="/records/{record.pk}/"' in page and "A history of Lakeside" in page
    assert 'href="https://example.org/town-hall"' in page and "Town hall history" in page
    assert client.get("/ask-a-librarian/answer/not-a-key/").status_code == 404


def test_a_signed_in_patron_sees_only_the_questions_they_linked(demo_library):
    avery = patron(AVERY)
    form = text(avery.get("/ask-a-librarian/"))
    assert "Link this question to my account" in form
    assert "Link this question to my account" not in text(Client().get("/ask-a-librarian/"))
    ask(avery, "Linked: where are the old maps?", link_to_account="on")
    ask(avery, "Not linked: who founded the mill?")
    linked, unlinked = Question.objects.order_by("pk")
    assert linked.patron_id is not None and unlinked.patron_id is None

    mine = text(avery.get("/account/questions/"))
    assert "Linked: where are the old maps?" in mine
    assert "Not linked" not in mine
    assert "Waiting for a librarian" in mine
    assert "Linked: where are the old maps?" not in text(
        patron(BEATRICE).get("/account/questions/")
    )
    assert 'href="/account/questions/"' in text(avery.get("/account/"))
    assert Client().get("/account/questions/")["Location"] == "/account/sign-in/"


def test_the_queue_shows_channel_topic_and_age_never_text_or_contact(client, librarian):
    ask(client, "Private words about my landlord", topic="law", contact_email="me@example.org")
    queue = text(librarian.get("/staff/reference/"))
    assert "Law" in queue and "On the web" in queue
    assert "Private words" not in queue and "me@example.org" not in queue
    assert "Take the oldest question" in queue
    question = Question.objects.get()
    assert f"/staff/reference/{question.pk}/" not in queue  # nobody reads it before taking it
    assert librarian.get(f"/staff/reference/{question.pk}/").status_code == 404


def test_a_late_question_is_marked_in_the_queue(client, librarian):
    with clock.travel_to(clock.now() - timedelta(days=10)):
        ask(client)
    waiting = text(librarian.get("/staff/reference/")).split('id="waiting-h"', 1)[1]
    assert '<tr class="late">' in waiting and '<strong class="overdue">late</strong>' in waiting
    ask(client)
    waiting = text(librarian.get("/staff/reference/")).split('id="waiting-h"', 1)[1]
    assert waiting.count('<tr class="late">') == 1 and waiting.count("<tr") == 3  # with the head


def test_other_staff_are_refused_and_strangers_sent_to_sign_in(client, staff_client):
    ask(client)
    question = Question.objects.get()
    for username in ("clerk", "privacy", "admin"):
        browser = staff_client(username)
        cache.clear()
        assert browser.get("/staff/reference/").status_code == 403
        assert browser.post("/staff/reference/claim-next/").status_code == 403
        assert browser.get(f"/staff/reference/{question.pk}/").status_code == 403
    assert staff_client("librarian").get("/staff/reference/figures/").status_code == 403
    cache.clear()
    assert client.get("/staff/reference/")["Location"].startswith("/staff/sign-in/")
    assert Question.objects.get().status == "open"


def test_take_the_oldest_question_first(client, librarian, staff_client):
    start = clock.now() - timedelta(hours=3)
    for minutes, words in ((20, "Asked last"), (0, "Asked first"), (10, "Asked second")):
        with clock.travel_to(start + timedelta(minutes=minutes)):
            ask(client, words, contact_phone="555 0101" if minutes == 0 else "")
    first = Question.objects.get(text="Asked first")
    url = take_oldest(librarian)
    assert url == f"/staff/reference/{first.pk}/"
    page = text(librarian.get(url))
    assert "Asked first" in page and "555 0101" in page
    read = AuditEntry.objects.filter(action="reference.read", object_id=str(first.pk))
    assert read.exists()
    queue = text(librarian.get("/staff/reference/"))
    assert f'href="{url}"' in queue  # under "My questions"
    head = staff_client("head")
    cache.clear()
    assert head.get(url).status_code == 404  # claimed by another librarian
    assert take_oldest(head) == f"/staff/reference/{Question.objects.get(text='Asked second').pk}/"


def test_a_flagged_answer_is_refused_then_sent_anyway_with_a_reason(client, librarian, office):
    ask(client, "Which kettle should I buy?", topic="local_history")
    url = take_oldest(librarian)
    refused = librarian.post(url + "answer/", {"text": FLAGGED, "language": "en"})
    assert refused.status_code == 409
    page = text(refused)
    assert "“In my opinion”" in page and "“you should”" in page
    assert "OP-02-01-01/facts-not-opinions" in page
    assert "Consumer Protection Office" in page and "https://example.org/consumers" in page
    assert "Send it anyway, because" in page
    assert not Answer.objects.exists()

    sent = librarian.post(
        url + "answer/",
        {
            "text": FLAGGED,
            "language": "en",
            "directory": office.pk,
            "send_anyway_reason": "quoted_source",
        },
    )
    assert sent.status_code == 302, text(sent)[:3000]
    answer = Answer.objects.get()
    assert answer.override_reason == "quoted_source"
    assert answer.sources.get().directory == office
    assert AuditEntry.objects.filter(action="reference.answer", reason="quoted_source").exists()


def test_the_answer_form_hides_send_anyway_until_the_check_flags(client, librarian):
    ask(client)
    page = text(librarian.get(take_oldest(librarian)))
    assert "Send it anyway, because" not in page
    assert "Answer" in page and "Catalogue record number" in page


def test_closing_records_the_effort_and_removes_the_contact(client, librarian):
    ask(client, contact_email="asker@example.org")
    url = take_oldest(librarian)
    librarian.post(url + "answer/", {"text": FACTS, "language": "en", "named": "Lakeside HS"})
    closed = librarian.post(url + "close/", {"effort": "2"})
    assert closed.status_code == 302 and closed["Location"] == "/staff/reference/"
    question = Question.objects.get()
    assert question.status == "closed" and question.effort == 2
    assert question.contact_email == ""


def test_consulting_another_librarian_lets_them_read_it(client, librarian, staff_client):
    from libdesk.accounts.models import StaffUser

    ask(client, "Who built the dam?")
    url = take_oldest(librarian)
    head = StaffUser.objects.get(username="head")
    shared = librarian.post(url + "consult/", {"librarian": head.pk, "reason": "subject_expertise"})
    assert shared.status_code == 302
    page = text(staff_client("head").get(url))
    assert "Who built the dam?" in page
    assert "Send the answer" not in page  # consulted, not answering


def test_form_errors_name_the_field(client, librarian):
    empty = ask(client, "   ", contact_email="not an address")
    assert empty.status_code == 422
    page = text(empty)
    assert "Your question: This field is required." in page
    assert 'id="id_text_error"' in page
    assert "Your e-mail, only if you want the answer sent to you (optional): " in page
    assert not Question.objects.exists()

    ask(client)
    url = take_oldest(librarian)
    bad = librarian.post(url + "answer/", {"text": FACTS, "language": "en", "url": "no url"})
    assert bad.status_code == 422
    assert "Web address of a source (optional): Enter a valid URL." in text(bad)
    missing = librarian.post(url + "answer/", {"text": FACTS, "language": "en", "record_id": 999})
    assert missing.status_code == 422
    assert "Catalogue record number (optional; find it in the catalogue): no such" in text(missing)
    assert librarian.post(url + "close/", {"effort": "9"}).status_code == 422


def test_the_desk_enters_a_question_asked_by_phone(staff_client):
    clerk = staff_client("clerk")
    cache.clear()
    form = clerk.get("/staff/reference/new/")
    assert form.status_code == 200
    entered = clerk.post(
        "/staff/reference/new/",
        {
            "channel": "phone",
            "text": "When does the pool open?",
            "topic": "government",
            "language": "fr",
            "contact_phone": "555 0199",
        },
    )
    assert entered.status_code == 200
    assert "/ask-a-librarian/answer/" in text(entered)
    question = Question.objects.get()
    assert question.channel == "phone" and question.entered_by.username == "clerk"
    assert question.patron_id is None


def test_asking_is_rate_limited_per_address(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(5):
            asked = client.post(
                "/ask-a-librarian/", {"text": "?", "topic": "other", "language": "en"}
            )
            assert asked.status_code == 200
        refused = client.post("/ask-a-librarian/", {"text": "Again?", "topic": "other"})
    assert refused.status_code == 429
    assert Question.objects.filter(text="Again?").count() == 0


def test_the_directory_lists_sources_in_both_languages(staff_client, office):
    page = text(staff_client("clerk").get("/staff/reference/sources/"))
    assert "Consumer Protection Office" in page
    assert "Office de la protection du consommateur" in page


def test_the_head_librarian_sees_figures_naming_nobody(client, staff_client):
    ask(client, "Figures?", contact_email="counted@example.org")
    head = staff_client("head")
    page = text(head.get("/staff/reference/figures/"))
    assert "1 question asked" in page
    assert "counted@example.org" not in page and "Figures?" not in page
    assert head.get("/staff/reference/figures/?since=2020-01-01").status_code == 200


def test_the_pages_render_in_french(client, librarian):
    form = client.get("/ask-a-librarian/", HTTP_ACCEPT_LANGUAGE="fr")
    assert form.status_code == 200
    assert '<html lang="fr">' in text(form)
    assert '<option value="fr" selected>' in text(form)
    asked = client.post(
        "/ask-a-librarian/",
        {"text": "Quand la mairie a-t-elle été construite ?", "topic": "other", "language": "fr"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    link = private_link(asked)
    assert client.get(link, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    assert librarian.get("/staff/reference/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    url = take_oldest(librarian)
    page = librarian.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200 and '<html lang="fr">' in text(page)
    assert "Quand la mairie a-t-elle été construite ?" in text(page)
    assert '<option value="fr" selected>' in text(page).split('id="answer-h"', 1)[1]


def test_transferring_hands_the_question_over(client, librarian, staff_client):
    from libdesk.accounts.models import StaffUser

    ask(client, "Who mapped the river?")
    url = take_oldest(librarian)
    head = StaffUser.objects.get(username="head")
    moved = librarian.post(url + "transfer/", {"librarian": head.pk, "reason": "workload"})
    assert moved.status_code == 302 and moved["Location"] == "/staff/reference/"
    assert librarian.get(url).status_code == 404
    page = text(staff_client("head").get(url))
    assert "Who mapped the river?" in page and "Send the answer" in page
    assert "Transferred (now answers it), Sharing the workload" in page


def test_taking_the_oldest_when_none_waits_says_so(librarian):
    response = librarian.post("/staff/reference/claim-next/", follow=True)
    assert "No question is waiting." in text(response)


def test_a_librarian_cannot_share_with_a_clerk(client, librarian):
    from libdesk.accounts.models import StaffUser

    ask(client)
    url = take_oldest(librarian)
    clerk = StaffUser.objects.get(username="clerk")
    refused = librarian.post(url + "consult/", {"librarian": clerk.pk, "reason": "workload"})
    assert refused.status_code == 422
    assert "Librarian: Select a valid choice." in text(refused)
    assert not Question.objects.get().shares.exists()
