"""Staff edit opening hours and closed days; due dates follow at once."""

from datetime import date, timedelta

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.circulation import services
from libdesk.core import clock
from libdesk.library.models import ClosedDay, OpeningHours
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db


def test_head_librarian_closes_a_day_and_due_dates_skip_it(staff_client, shelf, desk, patron):
    start = date(2027, 3, 1)
    item = shelf.copy(shelf.record("Calendar"))
    head = staff_client("head")
    response = head.post(
        "/staff/calendar/",
        {
            "form": "closed",
            "closed-date": (start + timedelta(days=21)).isoformat(),
            "closed-name": "Flood repairs",
            "closed-branch": "MAIN",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="library.closed_day.add").exists()
    with clock.travel_to(start):
        loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    assert loan.due == start + timedelta(days=22)
    page = head.get("/staff/calendar/").content.decode()
    assert "Flood repairs" in page
    duplicate = head.post(
        "/staff/calendar/",
        {
            "form": "closed",
            "closed-date": (start + timedelta(days=21)).isoformat(),
            "closed-name": "Again",
            "closed-branch": "MAIN",
        },
    )
    assert duplicate.status_code == 422 and "already closed" in duplicate.content.decode()


def test_hours_are_added_and_removed_and_clerks_only_read(staff_client, demo_library):
    head = staff_client("head")
    added = head.post(
        "/staff/calendar/",
        {
            "form": "hours",
            "hours-branch": "KEEW",
            "hours-weekday": "6",
            "hours-opens": "12:00",
            "hours-closes": "16:00",
        },
    )
    assert added.status_code == 302
    period = OpeningHours.objects.get(branch__code="KEEW", weekday=6)
    bad = head.post(
        "/staff/calendar/",
        {
            "form": "hours",
            "hours-branch": "KEEW",
            "hours-weekday": "6",
            "hours-opens": "16:00",
            "hours-closes": "12:00",
        },
    )
    assert bad.status_code == 422 and "closing time must be after" in bad.content.decode()
    head.post(f"/staff/calendar/hours/{period.pk}/remove/")
    assert not OpeningHours.objects.filter(pk=period.pk).exists()
    clerk = staff_client("clerk")
    assert clerk.get("/staff/calendar/").status_code == 200
    denied = clerk.post(
        "/staff/calendar/", {"form": "closed", "closed-date": "2027-01-05", "closed-name": "No"}
    )
    assert denied.status_code == 403
    assert not ClosedDay.objects.filter(name="No").exists()
