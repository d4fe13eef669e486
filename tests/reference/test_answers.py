"""Answers give facts with their sources, never opinions, advice or recommendations
(OP-02-01-01/facts-not-opinions): a flagged answer is refused, naming the clause and what was
found, offering the consumer sources for the topic; it goes only with a registered reason,
which is recorded. The asker reads it with the private link."""

from datetime import UTC, datetime, timedelta

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.reference.models import Answer, ConsumerSource, Question
from tests.reference.conftest import key_of

pytestmark = pytest.mark.django_db
WHICH = "Which kettle should I buy?"


def _answer(desk, question, who="librarian", **body):
    return desk.post(who, f"/reference/questions/{question}/answer", {"text": "Facts.", **body})


@pytest.fixture
def consumer_sources(demo_library):
    """The tests' own directory, in place of the demo's real sources."""
    ConsumerSource.objects.all().delete()
    office = ConsumerSource.objects.create(
        name_en="Consumer Protection Office",
        name_fr="Office de la protection du consommateur",
        url="https://example.org/consumers",
        topic="consumer",
        kind="government_office",
    )
    ConsumerSource.objects.create(
        name_en="Retired guide", topic="consumer", kind="other", active=False
    )
    ConsumerSource.objects.create(name_en="Health line", topic="health", kind="other")
    return office


def test_a_flagged_answer_is_refused_with_the_clause_the_findings_and_the_sources(
    desk, checker, consumer_sources
):
    checker.flag("recommendation", "the best kettle is")
    question = desk.claimed(text=WHICH, topic="consumer")
    refused = _answer(desk, question, text="In my view the best kettle is the Brand X.")
    assert refused.status_code == 409
    decision = refused.json()["decision"]
    assert decision["code"] == "reference_answer_flagged"
    assert [c["id"] for c in decision["clauses"]] == ["OP-02-01-01/facts-not-opinions"]
    assert "the best kettle is" in decision["staff_reason"]
    assert [(a["kind"], a["label"], a["source_id"]) for a in decision["alternatives"]] == [
        ("referral", "Consumer Protection Office", consumer_sources.pk)
    ]
    assert not Answer.objects.exists()
    assert Question.objects.get().status == "claimed"


def test_a_flagged_answer_goes_with_a_registered_reason_which_is_recorded(desk, checker):
    checker.flag("opinion", "is the best")
    question = desk.claimed(text=WHICH, topic="consumer")
    sent = _answer(desk, question, text="“Brand X is the best” (Test Weekly, May 2026).",
                   send_anyway_reason="quoted_source")  # fmt: skip
    assert sent.status_code == 201
    assert sent.json()["sent_despite_flags"] is True
    assert Answer.objects.get().override_reason == "quoted_source"
    assert AuditEntry.objects.get(action="reference.answer").reason == "quoted_source"


def test_a_reason_that_is_not_registered_is_bad_input(desk, checker):
    checker.flag("opinion", "I think")
    question = desk.claimed()
    response = _answer(desk, question, send_anyway_reason="because I said so")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "send_anyway_reason"


def test_the_answer_goes_to_the_check_in_its_language(desk, checker):
    question = desk.claimed()
    assert _answer(desk, question, text="Les faits.", language="fr").status_code == 201
    assert checker.seen == [("Les faits.", "fr")]


def test_the_real_checker_refuses_a_recommendation(desk):
    pytest.importorskip("libdesk.reference.checker")
    question = desk.claimed(text=WHICH, topic="consumer")
    refused = _answer(desk, question, text="I recommend the Brand X kettle; you should buy it.")
    assert refused.status_code == 409
    assert refused.json()["decision"]["code"] == "reference_answer_flagged"


def test_answering_records_the_first_response_and_answer_times(desk, checker):
    asked_at = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    with clock.travel_to(asked_at):
        question = desk.claimed()
        clock.advance(timedelta(hours=3))
        _answer(desk, question)
        clock.advance(timedelta(hours=1))
        _answer(desk, question, text="More facts.", effort=3)
    found = Question.objects.get()
    assert found.first_response_at == asked_at + timedelta(hours=3)
    assert found.answered_at == asked_at + timedelta(hours=4)
    assert (found.status, found.effort) == ("answered", 3)


def test_the_private_link_shows_the_status_then_the_answer_with_sources(
    desk, checker, consumer_sources, client
):
    from tests.circulation.conftest import Shelf

    record = Shelf().record("Kettles through the ages")
    asked = desk.ask(WHICH, topic="consumer")
    link = asked["private_link"]
    assert "/ask-a-librarian/answer/" in link  # for a person; the API reads the same key
    before = client.get(f"/api/v1/reference/asked/{key_of(link)}").json()
    assert (before["status"], before["answers"]) == ("open", [])
    desk.post("librarian", f"/reference/questions/{asked['id']}/claim")
    sources = [
        {"kind": "catalogue", "record_id": record.pk},
        {"kind": "web", "url": "https://example.org/kettles", "label": "Kettle tests"},
        {"kind": "directory", "directory_id": consumer_sources.pk},
        {"kind": "named", "label": "Consumer Reports, March 2026"},
    ]
    assert _answer(desk, asked["id"], text="Facts.", sources=sources).status_code == 201
    after = client.get(f"/api/v1/reference/asked/{key_of(link)}").json()
    assert after["status"] == "answered"
    [answer] = after["answers"]
    assert answer["text"] == "Facts."
    assert [s["label"] for s in answer["sources"]] == [
        "Kettles through the ages",
        "Kettle tests",
        "Consumer Protection Office",
        "Consumer Reports, March 2026",
    ]
    assert client.get("/api/v1/reference/asked/not-a-key").status_code == 404


def test_the_directory_lists_active_sources_by_topic(desk, consumer_sources):
    listed = desk.get(None, "/reference/sources?topic=consumer").json()
    assert [s["name"] for s in listed] == ["Consumer Protection Office"]
    french = desk.client.get("/api/v1/reference/sources?topic=consumer", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()[0]["name"] == "Office de la protection du consommateur"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"effort": 7}, "effort"),
        ({"language": "de"}, "language"),
        ({"sources": [{"kind": "catalogue", "record_id": 999999}]}, "sources.0.record_id"),
        ({"sources": [{"kind": "web", "url": "javascript:alert(1)"}]}, "sources.0.url"),
        ({"sources": [{"kind": "named"}]}, "sources.0.label"),
        ({"sources": [{"kind": "hearsay"}]}, "kind"),
    ],
)
def test_bad_answers_are_422_naming_the_field(desk, checker, body, field):
    question = desk.claimed()
    response = _answer(desk, question, **body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Answer.objects.exists()


def test_an_asker_who_left_an_address_is_e_mailed_each_answer_once(
    desk, checker, mailoutbox, django_capture_on_commit_callbacks
):
    from libdesk.reference.tasks import send_reference_answer

    question = desk.claimed(text=WHICH, contact_email="asker@example.org")
    sources = [{"kind": "web", "url": "https://example.org/kettles", "label": "Kettle tests"}]
    with django_capture_on_commit_callbacks(execute=True):
        sent = _answer(desk, question, text="Three tests compared them.", sources=sources)
    [mail] = mailoutbox
    assert mail.to == ["asker@example.org"]
    assert "Three tests compared them." in mail.body
    assert "Kettle tests <https://example.org/kettles>" in mail.body
    send_reference_answer.call(sent.json()["id"])  # a retried task sends nothing more
    assert len(mailoutbox) == 1


def test_an_asker_without_an_address_is_sent_nothing(
    desk, checker, mailoutbox, django_capture_on_commit_callbacks
):
    question = desk.claimed()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(desk, question)
    assert mailoutbox == []
