"""Pages that take numbers, dates or text bound them: out of range is a form error naming the
field (or a 404 for what names nothing), never a server error or a query on a huge value."""

from html import unescape

import pytest

from libdesk.policies.models import PolicyQuestion

pytestmark = pytest.mark.django_db

CLAUSE = "OP-02-01-01/equal-consideration"


def test_ask_why_with_an_overlong_clause_is_not_found(client, demo_library):
    assert client.get("/ask-why/", {"clause": CLAUSE}).status_code == 200
    assert client.get("/ask-why/", {"clause": CLAUSE + "x" * 200}).status_code == 404
    response = client.post("/ask-why/ask/", {"clause": "x" * 5000, "question": "Why?"})
    assert response.status_code == 404


def test_a_question_longer_than_4000_characters_is_a_form_error(client, demo_library):
    response = client.post("/ask-why/ask/", {"clause": CLAUSE, "question": "w" * 4001})
    assert response.status_code == 422
    assert "at most 4000 characters" in unescape(response.content.decode())
    assert not PolicyQuestion.objects.exists()


def test_an_overlong_answer_is_refused_with_a_message_naming_it(client, staff_client, demo_library):
    client.post("/ask-why/ask/", {"clause": CLAUSE, "question": "Why a limit?"})
    question = PolicyQuestion.objects.get()
    head = staff_client("head")
    response = head.post(
        f"/staff/questions/{question.pk}/answer/", {"answer": "a" * 4001}, follow=True
    )
    page = unescape(response.content.decode())
    assert "Answer: Ensure this value has at most 4000 characters" in page
    question.refresh_from_db()
    assert not question.answer


@pytest.mark.parametrize("day", ["9999-12-31", "1066-10-14"])
def test_a_closed_day_outside_the_calendar_range_is_a_form_error(staff_client, day):
    head = staff_client("head")
    response = head.post(
        "/staff/calendar/", {"form": "closed", "closed-date": day, "closed-name": "Far away"}
    )
    assert response.status_code == 422
    page = unescape(response.content.decode())
    assert "Ensure this value is" in page and "Far away" in page
