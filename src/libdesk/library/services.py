"""Changes to the library's calendar: opening hours and closed days. Due dates and hold-shelf
expiries follow them, so each change is audited."""

from __future__ import annotations

from datetime import date, time

from django.db import IntegrityError, transaction

from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core.errors import InputError
from libdesk.library.models import Branch, ClosedDay, OpeningHours


class CalendarError(InputError):
    """A change to the calendar that cannot be made, naming the field."""


def add_closed_day(
    staff, workstation, *, branch: Branch | None, day: date, name: str, name_fr: str = ""
) -> ClosedDay:
    """Close one branch (or, with no branch, all of them) on a day; `name_fr` is the name on
    French pages (the English one shows there when it is blank)."""
    if not name.strip():
        raise CalendarError("name", "say why the library is closed (a holiday's name)")
    try:
        with transaction.atomic():
            closed = ClosedDay.objects.create(
                branch=branch, date=day, name=name.strip()[:100], name_fr=name_fr.strip()[:100]
            )
            audit.record(
                Actor.staff(staff, workstation),
                "library.closed_day.add",
                object_type="closed_day",
                object_id=closed.pk,
                reason=day.isoformat(),
            )
    except IntegrityError as exc:
        raise CalendarError("date", "that day is already closed") from exc
    return closed


def remove_closed_day(staff, workstation, closed: ClosedDay) -> None:
    with transaction.atomic():
        audit.record(
            Actor.staff(staff, workstation),
            "library.closed_day.remove",
            object_type="closed_day",
            object_id=closed.pk,
            reason=closed.date.isoformat(),
        )
        closed.delete()


def add_hours(
    staff, workstation, *, branch: Branch, weekday: int, opens: time, closes: time
) -> OpeningHours:
    if closes <= opens:
        raise CalendarError("closes", "closing time must be after opening time")
    with transaction.atomic():
        period = OpeningHours.objects.create(
            branch=branch, weekday=weekday, opens=opens, closes=closes
        )
        audit.record(
            Actor.staff(staff, workstation),
            "library.hours.add",
            object_type="opening_hours",
            object_id=period.pk,
        )
    return period


def remove_hours(staff, workstation, period: OpeningHours) -> None:
    with transaction.atomic():
        audit.record(
            Actor.staff(staff, workstation),
            "library.hours.remove",
            object_type="opening_hours",
            object_id=period.pk,
        )
        period.delete()
