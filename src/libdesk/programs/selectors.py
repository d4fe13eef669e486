"""Reads about programs: the public calendar (no one named), a patron's own registrations, a
registration by its private link, and the attendance list, which only the event's organizer
reads, each look audited (the patrons listed see it in their access log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from libdesk.access.purposes import Access
from libdesk.access.table import Context, allowed, require, role_may_ever
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.errors import NotFound
from libdesk.programs.models import ACTIVE, Event, Registration, Status
from libdesk.programs.reasons import REGISTRATION_DATA
from libdesk.programs.services import REGISTRATION, organizer_context, position_of

LIST_MAX = 200  # events on one page or in one answer


def _with_counts(events: QuerySet) -> QuerySet:
    return events.select_related("branch").annotate(
        registered=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
        waitlisted=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def upcoming(
    *,
    branch: str = "",
    audience: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = LIST_MAX,
) -> list[Event]:
    """Events not yet ended, soonest first (cancelled ones too, marked), filtered by branch
    code, audience and a window of start times; each with `registered` and `waitlisted`."""
    events = Event.objects.filter(ends_at__gt=start or clock.now())
    if end is not None:
        events = events.filter(starts_at__lt=end)
    if branch:
        events = events.filter(branch__code=branch)
    if audience:
        events = events.filter(audience=audience)
    return list(_with_counts(events).order_by("starts_at", "pk")[:limit])


def announced(since: datetime, until: datetime, limit: int = 25) -> list[Event]:
    """Programs added between two moments that are still to come (not cancelled): what a
    newsletter issue announces as new."""
    events = Event.objects.filter(
        created_at__gte=since, created_at__lt=until, starts_at__gt=until, cancelled=False
    )
    return list(events.select_related("branch").order_by("starts_at", "pk")[:limit])


def event(event_id: int) -> Event:
    """One event for its public page, with its counts (404 for none)."""
    found = _with_counts(Event.objects.filter(pk=event_id)).first()
    if found is None:
        raise NotFound
    return found


def places_left(found: Event) -> int | None:
    """Free places (an event annotated by `event` or `upcoming`); None without registration."""
    if not found.registration_required:
        return None
    return max(found.capacity - found.registered, 0)


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    position: int | None


def registrations_of(access: Access) -> list[MyRegistration]:
    """The patron's own registrations for events not yet ended, soonest first."""
    access.read("event_registration", REGISTRATION_DATA.code)
    rows = (
        Registration.objects.filter(patron_id=access.patron_id, event__ends_at__gt=clock.now())
        .select_related("event", "event__branch")
        .order_by("event__starts_at", "pk")
    )
    return [MyRegistration(row, position_of(row)) for row in rows]


def registration_of(access: Access, registration_id: int) -> Registration:
    """Fetch and authorise: the patron's own registration, else "not found"."""
    access.read("event_registration", REGISTRATION_DATA.code)
    found = (
        Registration.objects.select_related("event", "event__branch")
        .filter(pk=registration_id, patron_id=access.patron_id)
        .first()
    )
    if found is None:
        raise NotFound
    return found


def for_staff(staff: StaffUser) -> list[Event]:
    """The events a member of staff may manage, not yet ended: all of them for the Head
    Librarian and administrators, their own for organizers."""
    events = Event.objects.filter(ends_at__gt=clock.now())
    if not allowed(staff.role, "event", "change", Context.NONE):
        events = events.filter(organizer=staff)
    return list(_with_counts(events).order_by("starts_at", "pk")[:LIST_MAX])


@dataclass(frozen=True)
class Attendee:
    name: str
    contact: str
    status: str
    joined_at: datetime
    promoted: bool
    by_account: bool


def attendance(staff: StaffUser, workstation, event_id: int) -> tuple[Event, list[Attendee]]:
    """Who registered and who waits, in order, for the event's organizer only: another
    member of staff who might organize one finds nothing (404), a role that never does is
    refused (403). Each look is audited: one entry for the event, and one read per patron
    listed by their account (who sees it in their access log)."""
    found = Event.objects.select_related("branch").filter(pk=event_id).first()
    if found is None:
        raise NotFound
    context = organizer_context(staff, found)
    if context != Context.ORGANIZER and role_may_ever(staff.role, "event_attendance", "read"):
        raise NotFound
    require(staff.role, "event_attendance", "read", context)
    rows = list(
        found.registrations.filter(status__in=ACTIVE)
        .select_related("patron")
        .order_by("status", "joined_at", "pk")
    )  # registered before waitlisted, each in the order they joined
    actor = Actor.staff(staff, workstation)
    with transaction.atomic():
        audit.record(actor, "programs.attendance", object_type="event", object_id=found.pk)
        for row in rows:
            if row.patron_id is not None:
                # which program is not said: the log outlives the registration by far, and
                # the program can say as much about a person as a loan does (PRIVACY.md)
                audit.record(
                    actor,
                    "patron.read",
                    object_type=REGISTRATION,
                    patron_id=row.patron_id,
                    data_kind=REGISTRATION_DATA.code,
                )
    return found, [_attendee(row) for row in rows]


def _attendee(row: Registration) -> Attendee:
    if row.patron_id is not None:
        patron = row.patron
        contact = patron.email or patron.phone
        name = patron.name
    else:
        contact, name = row.contact_email or row.contact_phone, row.name
    return Attendee(
        name=name,
        contact=contact,
        status=row.status,
        joined_at=row.joined_at,
        promoted=row.promoted_at is not None,
        by_account=row.patron_id is not None,
    )
