"""Asking (anyone on the web, the desk for a caller, a patron linking it to their account if
they choose), and how long a question is kept (PRIVACY.md, "Reference questions"): contact
details go at closing, the text after the retention period, the figures stay."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from libdesk.core import clock, retention
from libdesk.reference.models import Answer, Question, QuestionShare
from tests.conftest import AVERY, BEATRICE

pytestmark = pytest.mark.django_db
CLOSED_AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_anyone_asks_and_gets_a_private_link_whose_key_is_not_stored(desk):
    asked = desk.ask("When does the archive open?", topic="local_history")
    question = Question.objects.get(pk=asked["id"])
    key = asked["private_link"].rstrip("/").rsplit("/", 1)[1]
    assert key not in question.access_key_hash and len(question.access_key_hash) == 64
    assert (question.channel, question.patron_id, question.entered_by) == ("web", None, None)


def test_only_the_desk_enters_a_question_asked_in_person_by_phone_or_e_mail(desk):
    refused = desk.post(None, "/reference/questions", {"text": "Hello?", "channel": "phone"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "channel"
    entered = desk.post("clerk", "/reference/questions", {"text": "Hello?", "channel": "phone"})
    assert entered.status_code == 201


def test_asking_is_limited_per_address(desk):
    for _ in range(5):
        assert desk.post(None, "/reference/questions", {"text": "Q?"}).status_code == 201
    limited = desk.post(None, "/reference/questions", {"text": "Q?"})
    assert limited.status_code == 429
    assert limited["Retry-After"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"text": "Q?", "topic": "astrology"}, "topic"),
        ({"text": "Q?", "contact_email": "not-an-address"}, "contact_email"),
        ({"text": "Q?", "contact_phone": "call me maybe"}, "contact_phone"),
        ({"text": "Q?", "language": "de"}, "language"),
    ],
)
def test_bad_questions_are_422_naming_the_field(desk, body, field):
    response = desk.post(None, "/reference/questions", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Question.objects.exists()


def test_a_patron_sees_only_the_questions_they_linked(desk):
    desk.ask("Mine, linked", who=AVERY, link_to_my_account=True)
    desk.ask("Mine, not linked", who=AVERY)
    desk.ask("Béatrice's", who=BEATRICE, link_to_my_account=True)
    cache.clear()
    mine = desk.get(AVERY, "/me/questions")
    assert [q["question"] for q in mine.json()] == ["Mine, linked"]
    assert desk.get(None, "/me/questions").status_code == 401
    unlinked = Question.objects.get(text="Mine, not linked")
    assert unlinked.patron_id is None


def test_closing_removes_the_contact_details_and_records_the_effort(desk):
    question = desk.claimed(contact_email="asker@example.org", contact_phone="807-555-0101")
    closed = desk.post("librarian", f"/reference/questions/{question}/close", {"effort": 2})
    assert closed.status_code == 200
    found = Question.objects.get()
    assert (found.status, found.effort, found.contact_email, found.contact_phone) == (
        "closed",
        2,
        "",
        "",
    )
    assert (
        desk.post("librarian", f"/reference/questions/{question}/close", {"effort": 2}).json()[
            "decision"
        ]["code"]
        == "reference_question_closed"
    )


def test_closing_needs_an_effort_on_the_read_scale(desk):
    question = desk.claimed()
    response = desk.post("librarian", f"/reference/questions/{question}/close", {"effort": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "effort"


def _closed_and_answered(desk, checker, robin) -> int:
    question = desk.claimed(who="librarian", text="About the old mill", topic="local_history")
    desk.post(
        "librarian",
        f"/reference/questions/{question}/consult",
        {"librarian_id": robin.pk, "reason": "local_knowledge"},
    )
    desk.post("librarian", f"/reference/questions/{question}/answer", {"text": "Built 1882."})
    desk.post("librarian", f"/reference/questions/{question}/close", {"effort": 3})
    return question


def test_the_purge_keeps_only_the_figures_after_the_retention_period(
    desk, checker, robin, settings
):
    with clock.travel_to(CLOSED_AT):
        question = _closed_and_answered(desk, checker, robin)
    days = settings.LIBDESK["REFERENCE_RETENTION_DAYS"]
    with clock.travel_to(CLOSED_AT + timedelta(days=days - 1)):
        assert retention.purge_all()["reference.questions"] == 0
    with clock.travel_to(CLOSED_AT + timedelta(days=days + 1)):
        assert retention.purge_all()["reference.questions"] == 1
        desk.tokens.clear()  # issued at closing, ended by now
        gone = desk.get("librarian", f"/reference/questions/{question}").status_code
    kept = Question.objects.get(pk=question)
    assert (kept.text, kept.anonymised, kept.patron_id) == ("", True, None)
    assert (kept.channel, kept.topic, kept.effort) == ("web", "local_history", 3)
    assert kept.first_response_at and kept.answered_at and kept.closed_at
    assert not Answer.objects.exists() and not QuestionShare.objects.exists()
    assert gone == 404


@pytest.mark.parametrize("claimed", [False, True])
def test_a_question_nobody_answered_waits_its_period_then_goes(desk, settings, claimed):
    """Still waiting (or held by a librarian who left), it is kept for its turn, but not
    forever: LIBDESK_REFERENCE_UNANSWERED_DAYS after it was asked it keeps only its figures."""
    asked_at = clock.now()
    if claimed:
        desk.claimed(who="librarian", contact_email="asker@example.org")
    else:
        desk.ask(contact_email="asker@example.org")
    days = settings.LIBDESK["REFERENCE_UNANSWERED_DAYS"]
    with clock.travel_to(asked_at + timedelta(days=days - 1)):
        assert retention.purge_all()["reference.questions"] == 0
    assert Question.objects.get().text
    with clock.travel_to(asked_at + timedelta(days=days + 1)):
        assert retention.purge_all()["reference.questions"] == 1
    kept = Question.objects.get()
    assert (kept.text, kept.contact_email, kept.anonymised) == ("", "", True)


def test_an_answered_question_never_closed_is_purged_from_its_answer(desk, checker, settings):
    """A librarian who answers and forgets to close keeps nothing longer: the period runs
    from the answer, and the contact details go with the text."""
    with clock.travel_to(CLOSED_AT):
        question = desk.claimed(
            who="librarian", text="About the old mill", contact_email="asker@example.org"
        )
        desk.post("librarian", f"/reference/questions/{question}/answer", {"text": "Built 1882."})
    days = settings.LIBDESK["REFERENCE_RETENTION_DAYS"]
    with clock.travel_to(CLOSED_AT + timedelta(days=days - 1)):
        assert retention.purge_all()["reference.questions"] == 0
    assert Question.objects.get(pk=question).contact_email == "asker@example.org"
    with clock.travel_to(CLOSED_AT + timedelta(days=days + 1)):
        assert retention.purge_all()["reference.questions"] == 1
    kept = Question.objects.get(pk=question)
    assert (kept.text, kept.contact_email, kept.anonymised) == ("", "", True)
    assert kept.status == "answered" and kept.answered_at
    assert not Answer.objects.exists()
