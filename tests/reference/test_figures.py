"""The board's figures (Head Librarian): counts per channel and topic, times to a first
response and to an answer, effort, late questions; nothing that names an asker, a patron or a
member of staff."""

from datetime import UTC, datetime, timedelta

import pytest

from libdesk.core import clock
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_the_figures_count_and_time_the_questions_naming_nobody(desk, checker, robin):
    with clock.travel_to(MONDAY):
        quick = desk.claimed(text="Secret one", topic="health", contact_email="one@example.org")
        asked = desk.ask("Secret two", who=AVERY, topic="law", link_to_my_account=True)
        desk.post("robin", f"/reference/questions/{asked['id']}/claim")
        slow = asked["id"]
        desk.ask("Secret three", who="clerk", channel="phone")
        clock.advance(timedelta(hours=2))
        desk.post("librarian", f"/reference/questions/{quick}/answer", {"text": "Facts."})
        desk.post("librarian", f"/reference/questions/{quick}/close", {"effort": 1})
        clock.advance(timedelta(hours=58))
        desk.post("robin", f"/reference/questions/{slow}/answer", {"text": "Facts.", "effort": 4})
        response = desk.get("head", "/reference/figures")
    assert response.status_code == 200
    figures = response.json()
    assert figures["questions"] == 3
    assert figures["by_channel"] == {"web": 2, "in_person": 0, "phone": 1, "email": 0}
    assert (figures["by_topic"]["health"], figures["by_topic"]["law"]) == (1, 1)
    assert figures["to_first_response"] == {"count": 2, "median_hours": 2.0, "p90_hours": 60.0}
    assert figures["to_answer"]["count"] == 2
    assert figures["effort"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0, "6": 0}
    assert figures["late"] == 2  # the slow web one (48 h) and the unanswered phone one (24 h)
    body = response.content.decode()
    for secret in ("Secret", "one@example.org", "robin", "librarian", "clerk", AVERY):
        assert secret not in body


def test_the_figures_take_a_period(desk):
    with clock.travel_to(MONDAY):
        desk.ask()
    with clock.travel_to(MONDAY + timedelta(days=10)):
        desk.ask()
        figures = desk.get("head", "/reference/figures?since=2026-03-05").json()
    assert figures["questions"] == 1


@pytest.mark.parametrize("who", ["librarian", "clerk", "privacy"])
def test_only_the_head_librarian_reads_the_figures(desk, who):
    response = desk.get(who, "/reference/figures")
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_permitted"


def test_a_date_out_of_range_is_422_naming_it(desk):
    response = desk.get("head", "/reference/figures?since=1200-01-01")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "since"
