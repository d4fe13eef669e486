"""A librarian who claimed questions leaves (their account is disabled): the questions they
had not answered go back to the queue at their place in line, unread on the way, and the next
librarian takes them; answered ones stay answered."""

from datetime import UTC, datetime, timedelta

import pytest

from libdesk.accounts.models import StaffUser
from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.reference.models import Question

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_a_disabled_librarians_questions_go_back_to_the_queue_in_order(desk, robin, staff_client):
    with clock.travel_to(MORNING):
        older = desk.ask("Asked first")["id"]
        clock.advance(timedelta(minutes=5))
        newer = desk.ask("Asked second")["id"]
        assert desk.post("robin", "/reference/queue/claim-next").json()["id"] == older
        assert desk.post("robin", "/reference/queue/claim-next").json()["id"] == newer
    leaving = StaffUser.objects.get(username="robin")
    page = staff_client("admin").post(f"/staff/people/{leaving.pk}/", {"action": "disable"})
    assert page.status_code in (200, 302)
    assert not StaffUser.objects.get(pk=leaving.pk).is_active
    assert dict(Question.objects.values_list("pk", "status")) == {older: "open", newer: "open"}
    taken = desk.post("librarian", "/reference/queue/claim-next").json()["id"]
    assert taken == older  # its place in line kept
    released = AuditEntry.objects.filter(action="reference.release").order_by("seq")
    assert [(e.object_id, e.reason) for e in released] == [
        (str(older), "claimer_left"),
        (str(newer), "claimer_left"),
    ]
