"""One queue, first come first served (policy: every request with equal importance): the
oldest question nobody has claimed is the next one taken, and two librarians never claim the
same question. The queue shows channel, topic and age, never the text or who asked."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libdesk.core import clock
from libdesk.reference import selectors
from libdesk.reference.models import Question
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_claim_next_takes_the_oldest_unclaimed_question(desk, robin):
    with clock.travel_to(MORNING):
        first = desk.ask("First question")["id"]
        clock.advance(timedelta(minutes=5))
        second = desk.ask("Second question", topic="health")["id"]
        clock.advance(timedelta(minutes=5))
        desk.ask("Third question")
        taken = desk.post("librarian", "/reference/queue/claim-next").json()["id"]
        taken_next = desk.post("robin", "/reference/queue/claim-next").json()["id"]
    assert (taken, taken_next) == (first, second)
    waiting = desk.get("head", "/reference/queue").json()["waiting"]
    assert [line["status"] for line in waiting] == ["open"]


def test_claim_next_with_nothing_waiting_answers_no_question(desk):
    assert desk.post("librarian", "/reference/queue/claim-next").json() == {"id": None}


def test_a_question_taken_in_between_is_skipped_never_claimed_twice(desk, robin, monkeypatch):
    """Two librarians press "next" at once: both read the same oldest id; the conditional
    update lets one win, and the other goes on to the next question."""
    first, second = desk.ask("One")["id"], desk.ask("Two")["id"]
    assert desk.post("robin", "/reference/queue/claim-next").json()["id"] == first
    stale = iter([first])  # the librarian's read happened before Robin's claim
    real = selectors.oldest_waiting_id
    monkeypatch.setattr(selectors, "oldest_waiting_id", lambda: next(stale, None) or real())
    assert desk.post("librarian", "/reference/queue/claim-next").json()["id"] == second
    claims = dict(Question.objects.values_list("pk", "claimed_by__username"))
    assert claims == {first: "robin", second: "librarian"}


def test_claiming_a_claimed_question_is_refused_with_the_clause(desk, robin):
    question = desk.claimed("librarian")
    refused = desk.post("robin", f"/reference/questions/{question}/claim")
    assert refused.status_code == 409
    decision = refused.json()["decision"]
    assert decision["code"] == "reference_already_claimed"
    assert [c["id"] for c in decision["clauses"]] == ["OP-02-01-01/equal-respect"]
    assert Question.objects.get(pk=question).claimed_by.username == "librarian"


def test_claiming_a_question_that_does_not_exist_is_not_found(desk):
    assert desk.post("librarian", "/reference/questions/999999/claim").status_code == 404


def test_the_queue_shows_channel_topic_and_age_never_the_text_or_the_asker(desk):
    desk.ask("A private worry about my landlord", topic="law", contact_email="asker@example.org")
    response = desk.get("librarian", "/reference/queue")
    assert response.status_code == 200
    [line] = response.json()["waiting"]
    assert set(line) == {"id", "channel", "topic", "status", "asked_at", "late", "mine"}
    assert (line["channel"], line["topic"]) == ("web", "law")
    body = response.content.decode()
    assert "landlord" not in body and "asker@example.org" not in body


def test_my_questions_lists_the_claimed_and_the_consulted(desk, robin):
    mine = desk.claimed("librarian")
    theirs = desk.claimed("robin")
    desk.post(
        "robin",
        f"/reference/questions/{theirs}/consult",
        {
            "librarian_id": robin.__class__.objects.get(username="librarian").pk,
            "reason": "language",
        },
    )
    lines = desk.get("librarian", "/reference/queue").json()["mine"]
    assert {(line["id"], line["mine"]) for line in lines} == {(mine, True), (theirs, False)}


def test_a_question_past_its_channels_target_is_late(desk, settings, staff_token):
    settings.LIBDESK = {**settings.LIBDESK, "REFERENCE_TARGET_HOURS_WEB": 2}
    with clock.travel_to(MORNING):
        desk.ask("Web question")
        phoned = desk.ask("Phoned question", who="clerk", channel="phone")["id"]
        clock.advance(timedelta(hours=3))
        lines = {
            line["channel"]: line["late"]
            for line in desk.get("librarian", "/reference/queue").json()["waiting"]
        }
    assert lines == {"web": True, "phone": False}  # the phone target is 24 hours
    assert Question.objects.get(pk=phoned).entered_by.username == "clerk"


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert call().status_code == 200
    return len(captured)


def test_lists_cost_the_same_queries_for_two_questions_or_twelve(desk, checker):
    def lists():
        return (
            _queries(lambda: desk.get("librarian", "/reference/queue")),
            _queries(lambda: desk.get(AVERY, "/me/questions")),
        )

    def more(n):
        for _ in range(n):
            asked = desk.ask(who=AVERY, link_to_my_account=True)
            desk.post("librarian", f"/reference/questions/{asked['id']}/claim")
            desk.post(
                "librarian",
                f"/reference/questions/{asked['id']}/answer",
                {"text": "Facts.", "sources": [{"kind": "named", "label": "An almanac"}]},
            )
            desk.ask()

    more(1)
    few = lists()
    more(5)
    assert lists() == few
