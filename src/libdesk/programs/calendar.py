"""The calendar feeds: upcoming programs as iCalendar (RFC 5545), made with the `icalendar`
package so that calendar programs read them. Times are in UTC (no VTIMEZONE needed); each
event's UID is stable (its id and the library's host-independent domain), so a calendar that
subscribed updates the event rather than adding a copy; a cancelled event is sent with
STATUS:CANCELLED."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from libdesk.core import clock
from libdesk.programs.models import Event

PRODID = "-//libdesk//Programs//EN"
UID_DOMAIN = "programs.libdesk"


def uid(event: Event) -> str:
    return f"event-{event.pk}@{UID_DOMAIN}"


def feed(events: Iterable[Event], *, name: str, language: str, link) -> bytes:
    """A VCALENDAR of the events; `link(event)` is each event's page (its URL property)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = clock.now().astimezone(UTC)
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", uid(event))
        entry.add("dtstamp", stamp)
        entry.add("last-modified", event.updated_at.astimezone(UTC))
        entry.add("dtstart", event.starts_at.astimezone(UTC))
        entry.add("dtend", event.ends_at.astimezone(UTC))
        entry.add("summary", event.title(language))
        description = event.description(language)
        accessibility = event.accessibility(language)
        if accessibility:
            description = f"{description}\n\n{accessibility}".strip()
        if description:
            entry.add("description", description)
        where = event.branch.name + (f", {event.room}" if event.room else "")
        entry.add("location", where)
        entry.add("url", link(event))
        entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        calendar.add_component(entry)
    return calendar.to_ical()
