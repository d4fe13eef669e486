"""The policy review list shows the comments tied to each policy's clauses (no identity), and
the board's figures count comments by month, service and theme, with ratings and response
times, naming nobody."""

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from libdesk.accounts.models import StaffUser
from libdesk.core import clock
from libdesk.feedback import services
from tests.conftest import AVERY
from tests.feedback.conftest import avery_id

pytestmark = pytest.mark.django_db
CLAUSE = "OP-02-01-01/equal-respect"


def _librarian():
    return StaffUser.objects.get(username="librarian")


def _tied(text: str, clause: str = CLAUSE, **kwargs):
    comment = services.leave_comment(text, "desk_visit", **kwargs)
    services.tie_to_clause(_librarian(), None, comment.pk, clause)
    return comment


def test_the_staff_home_lists_the_comments_tied_to_a_policy_due(staff_client):
    with clock.travel_to(date(2026, 11, 28)):
        _tied("Everyone was treated alike.", rating=5, patron_id=avery_id(), sign=True)
        _tied("I waited while others were served.")
        services.leave_comment("Untied comment.", "general")
        page = staff_client("head").get("/staff/").content.decode()
        clerk_page = staff_client("clerk").get("/staff/").content.decode()
    assert "2 comments tied to its clauses" in page
    assert "Everyone was treated alike." in page and "I waited while others were served." in page
    assert "Untied comment." not in page
    assert "Avery" not in page and AVERY not in page
    assert "Policy reviews due" in clerk_page
    assert "Everyone was treated alike." not in clerk_page  # clerks do not read comments


def test_libdesk_policies_due_shows_them_too(demo_library):
    with clock.travel_to(date(2026, 11, 28)):
        _tied("Everyone was treated alike.", rating=5, patron_id=avery_id(), sign=True)
        out = StringIO()
        call_command("policies", "due", stdout=out)
        as_json = StringIO()
        call_command("policies", "due", "--json", stdout=as_json)
    assert "1 comment tied to its clauses" in out.getvalue()
    assert "Everyone was treated alike." in out.getvalue() and ", rated 5/5" in out.getvalue()
    [due] = json.loads(as_json.getvalue())
    assert due["comments"]["count"] == 1
    [comment] = due["comments"]["comments"]
    assert comment["text"] == "Everyone was treated alike." and comment["rating"] == 5
    assert "patron" not in json.dumps(comment)


MARCH = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_the_board_figures_count_rate_and_time_naming_nobody(staff_client):
    librarian = _librarian()
    with clock.travel_to(MARCH):
        one = services.leave_comment("Secret one", "desk_visit", rating=5)
        two = services.leave_comment(
            "Secret two", "website", rating=2, patron_id=avery_id(), sign=True
        )
        services.leave_comment("Secret three", "website")
        services.set_theme(librarian, None, one.pk, "staff")
        clock.advance(timedelta(hours=2))
        services.respond(librarian, None, one.pk, "Thank you.")
        clock.advance(timedelta(days=30))  # April
        services.leave_comment("Secret four", "event", rating=4)
        services.respond(librarian, None, two.pk, "We fixed the menu.")
        head = staff_client("head")
        page = head.get("/staff/comments/figures/")
    from libdesk.feedback.selectors import figures

    found = figures(StaffUser.objects.get(username="head"))
    assert found["comments"] == 4
    assert found["by_month"] == {"2026-03": 3, "2026-04": 1}
    assert found["by_service"]["website"] == 2 and found["by_service"]["event"] == 1
    assert found["by_theme"]["staff"] == 1 and found["by_theme"]["unfiled"] == 3
    assert found["ratings"] == {
        "count": 3,
        "average": 3.67,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert found["to_first_response"] == {"count": 2, "median_hours": 2.0, "p90_hours": 722.0}
    assert page.status_code == 200
    body = page.content.decode()
    assert "March 2026" in body and "3.67" in body and "2026-03" not in body
    for secret in ("Secret", "Avery", AVERY, "Thank you."):
        assert secret not in body


def test_the_figures_take_a_date_range_and_bound_it(staff_client):
    head = staff_client("head")
    with clock.travel_to(MARCH):
        services.leave_comment("In March.", "general")
    april = head.get("/staff/comments/figures/", {"since": "2026-04-01"}).content.decode()
    assert "0 comments received" in april
    far = head.get("/staff/comments/figures/", {"since": "9999-12-31"})
    assert far.status_code == 200 and "Ensure this value is" in far.content.decode()


def test_only_the_head_librarian_reads_the_figures(staff_client):
    for who in ("librarian", "clerk", "privacy", "admin"):
        assert staff_client(who).get("/staff/comments/figures/").status_code == 403
