"""The calendar feeds, read back by the `icalendar` package as a calendar program would: every
upcoming program, filtered by branch and audience, with stable UIDs, UTC times, a DTSTAMP and
the branch and room as the location."""

from datetime import UTC

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.django_db


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk("VEVENT")]


def test_the_feed_lists_upcoming_programs_that_calendars_read(client, make_event):
    event = make_event(capacity=3, branch="KEEW", audience="seniors", title_en="Tea and tablets")
    found = {str(e["SUMMARY"]): e for e in _events(client.get("/events.ics"))}
    entry = found["Tea and tablets"]
    assert str(entry["UID"]) == f"event-{event.pk}@programs.libdesk"
    assert entry["DTSTART"].dt == event.starts_at.astimezone(UTC).replace(microsecond=0)
    assert entry["DTSTART"].dt.tzinfo is not None and entry["DTEND"].dt > entry["DTSTART"].dt
    assert "DTSTAMP" in entry
    assert str(entry["LOCATION"]) == "Keewatin, Children's room"
    assert str(entry["URL"]).endswith(f"/events/{event.pk}/")
    assert len(found) > 5  # the demo's month of programs too


def test_the_uid_is_stable_between_downloads(client, make_event):
    event = make_event()
    first = [str(e["UID"]) for e in _events(client.get(f"/events/{event.pk}.ics"))]
    again = [str(e["UID"]) for e in _events(client.get(f"/events/{event.pk}.ics"))]
    assert first == again == [f"event-{event.pk}@programs.libdesk"]


def test_the_feed_filters_by_branch_and_audience(client, make_event):
    make_event(branch="KEEW", audience="teens", title_en="Keewatin teens")
    make_event(branch="MAIN", audience="teens", title_en="Main teens")
    keewatin = _events(client.get("/events.ics?branch=KEEW"))
    assert keewatin and all("Keewatin" in str(e["LOCATION"]) for e in keewatin)
    teens = {str(e["SUMMARY"]) for e in _events(client.get("/events.ics?audience=teens"))}
    assert {"Keewatin teens", "Main teens"} <= teens
    assert "Storytime" not in teens
    assert client.get("/events.ics?audience=martians").status_code == 422


def test_a_cancelled_event_says_so_in_the_feed(client, make_event):
    from libdesk.accounts.models import StaffUser
    from libdesk.programs.services import cancel_event

    event = make_event()
    cancel_event(StaffUser.objects.get(username="librarian"), None, event.pk)
    (entry,) = _events(client.get(f"/events/{event.pk}.ics"))
    assert str(entry["STATUS"]) == "CANCELLED"


def test_french_callers_get_french_titles(client, make_event):
    event = make_event()
    (entry,) = _events(client.get(f"/events/{event.pk}.ics", HTTP_ACCEPT_LANGUAGE="fr"))
    assert str(entry["SUMMARY"]) == "Spectacle de marionnettes"
