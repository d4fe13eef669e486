"""The ask-why round trip: anyone asks, only the Head Librarian (and librarians they share
with) see the question, the asker comes back by private link or gets an e-mail."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.policies.models import PolicyQuestion

pytestmark = pytest.mark.django_db

CLAUSE = "OP-02-01-01/equal-consideration"


def ask(client, question="Why is there a limit on sign-in attempts?", email=""):
    return client.post(
        "/ask-why/ask/", {"clause": CLAUSE, "question": question, "contact_email": email}
    )


def private_link(response) -> str:
    return re.search(
        r'href="https?://[^/]+(/ask-why/answer/[^"]+/)"', response.content.decode()
    ).group(1)


def test_anyone_can_ask_and_gets_a_private_link(client, demo_library):
    response = ask(client)
    assert response.status_code == 200
    link = private_link(response)
    page = unescape(client.get(link).content.decode())
    assert "Why is there a limit on sign-in attempts?" in page
    assert "There is no answer yet." in page
    question = PolicyQuestion.objects.get()
    assert link.split("/")[-2] not in question.access_key_hash  # only a hash of the key is kept
    assert client.get("/ask-why/answer/not-a-key/").status_code == 404


def test_the_head_librarian_sees_the_queue_and_answers(client, staff_client, demo_library):
    with clock.travel_to(clock.now()):
        link = private_link(ask(client))
        head = staff_client("head")
        home = head.get("/staff/").content.decode()
        assert "Why is there a limit on sign-in attempts?" in home
        question = PolicyQuestion.objects.get()
        clock.advance(timedelta(hours=3))
        head.post(
            f"/staff/questions/{question.pk}/answer/",
            {"answer": "So that one caller cannot crowd out everyone else."},
        )
    question.refresh_from_db()
    assert question.time_to_answer == timedelta(hours=3)
    page = client.get(link).content.decode()
    assert "So that one caller cannot crowd out everyone else." in page
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "policy_question.ask",
        "policy_question.list",
        "policy_question.read",
        "policy_question.answer",
    } <= actions


def test_the_answer_is_emailed_and_the_address_then_forgotten(
    client, staff_client, demo_library, django_capture_on_commit_callbacks
):
    ask(client, email="asker@example.org")
    question = PolicyQuestion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client("head").post(
            f"/staff/questions/{question.pk}/answer/", {"answer": "Because the service is shared."}
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["asker@example.org"]
    assert "Because the service is shared." in mail.outbox[0].body
    question.refresh_from_db()
    assert question.contact_email == ""


def test_other_staff_cannot_see_a_question_until_it_is_shared(client, staff_client, demo_library):
    ask(client)
    question = PolicyQuestion.objects.get()
    url = f"/staff/questions/{question.pk}/"
    assert staff_client("clerk").get(url).status_code == 403
    librarian = staff_client("librarian")
    assert librarian.get(url).status_code == 404
    assert "limit on sign-in" not in librarian.get("/staff/").content.decode()
    staff_client("head").post(url + "share/", {"librarian": "librarian"})
    assert librarian.get(url).status_code == 200
    assert "limit on sign-in" in librarian.get("/staff/").content.decode()
    librarian.post(url + "answer/", {"answer": "Shared answer."})
    question.refresh_from_db()
    assert question.answer == "Shared answer."
    share = AuditEntry.objects.get(action="policy_question.share")
    assert share.object_id == str(question.pk)


def test_a_question_needs_words_and_a_real_clause(client, demo_library):
    response = ask(client, question="   ")
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    bad_clause = client.post("/ask-why/ask/", {"clause": "OP-02-01-01/nope", "question": "?"})
    assert bad_clause.status_code == 404
    assert not PolicyQuestion.objects.exists()


def test_asking_is_rate_limited_per_address(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(5):
            assert ask(client).status_code == 200
        refused = ask(client)
    assert refused.status_code == 429
    assert PolicyQuestion.objects.count() == 5
