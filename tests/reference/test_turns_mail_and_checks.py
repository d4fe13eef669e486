"""What a read of the desk as an attacker found, each fixed at its root and tried here through
the API: nobody takes a question ahead of an older one; an answer's mail survives the question
closing before the mail worker runs, and repeats nothing the asker wrote; an opinion in the
other language is flagged; a retired directory source is not cited; no API answer is cached;
the directory is not in Django's admin."""

import pytest
from django.contrib import admin

from libdesk.reference.models import Answer, ConsumerSource, Question
from tests.reference.conftest import key_of

pytestmark = pytest.mark.django_db


def test_nobody_takes_a_newer_question_while_an_older_one_waits(desk):
    older = desk.ask("How old is the town hall?")
    newer = desk.ask("When does the pool open?")
    response = desk.post("librarian", f"/reference/questions/{newer['id']}/claim")
    assert response.status_code == 409
    assert response.json()["decision"]["code"] == "reference_not_next"
    assert Question.objects.get(pk=newer["id"]).status == "open"
    assert desk.post("librarian", f"/reference/questions/{older['id']}/claim").status_code == 200
    # the older one taken, the newer one is next in line
    assert desk.post("head", f"/reference/questions/{newer['id']}/claim").status_code == 200


def test_the_mail_goes_even_when_the_question_closes_first(desk, checker, mailoutbox, monkeypatch):
    from libdesk.reference.tasks import send_reference_answer

    queued: list[int] = []
    monkeypatch.setattr(
        "libdesk.reference.services.enqueue_after_commit", lambda task, pk: queued.append(pk)
    )
    question = desk.claimed(text="Which kettle is safest?", contact_email="asker@example.org")
    desk.post("librarian", f"/reference/questions/{question}/answer", {"text": "Facts."})
    desk.post("librarian", f"/reference/questions/{question}/close", {"effort": 2})
    assert Question.objects.get(pk=question).contact_email == ""  # gone at closing
    [answer_id] = queued
    send_reference_answer.call(answer_id)  # the worker runs after the closing
    [mail] = mailoutbox
    assert mail.to == ["asker@example.org"] and "Facts." in mail.body
    assert "Which kettle is safest?" not in mail.body  # the address was never confirmed
    assert Answer.objects.get(pk=answer_id).mail_to == ""  # kept only until sent


def test_an_opinion_in_french_is_flagged_in_an_answer_marked_english(desk):
    question = desk.claimed(text="Quelle bouilloire acheter?")
    body = {"text": "À mon avis, vous devriez acheter la Acme X200.", "language": "en"}
    response = desk.post("librarian", f"/reference/questions/{question}/answer", body)
    assert response.status_code == 409
    assert response.json()["decision"]["code"] == "reference_answer_flagged"
    assert not Answer.objects.exists()


def test_a_retired_directory_source_is_not_cited(desk, checker):
    retired = ConsumerSource.objects.create(
        name_en="Old guide", topic="consumer", kind="other", active=False
    )
    question = desk.claimed()
    sources = [{"kind": "directory", "directory_id": retired.pk}]
    response = desk.post(
        "librarian",
        f"/reference/questions/{question}/answer",
        {"text": "Facts.", "sources": sources},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "sources.0.directory_id"


def test_no_api_answer_is_kept_by_a_browser_or_a_proxy(desk, client):
    asked = desk.ask()
    for response in (
        client.get(f"/api/v1/reference/asked/{key_of(asked['private_link'])}"),
        client.get("/api/v1/reference/sources"),
        desk.get("librarian", "/reference/queue"),
    ):
        assert response["Cache-Control"] == "no-store"


def test_the_directory_is_not_in_djangos_admin():
    assert ConsumerSource not in admin.site._registry
