"""Changes to programs: staff create, edit and cancel events (one-off or a recurring series);
anyone registers, first come, first served, with a waitlist that moves strictly in the order
people joined; a cancellation gives the place to the first in line, who is told and may
decline (which gives it to the next).

Never overbooked: every change to an event's places locks the event's row first
(SELECT ... FOR UPDATE; on SQLite every transaction is IMMEDIATE, so the write lock is taken
at BEGIN) and counts the places inside the lock. Each change is one transaction with its
audit entry (ids and registered codes only); mail leaves after the commit.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libdesk.access.table import ORGANIZER_ROLES, Context, require
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.bounds import LONG_TEXT_MAX, SHORT_TEXT_MAX
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.core.tasks import enqueue_after_commit
from libdesk.library.models import Branch
from libdesk.programs import reasons  # noqa: F401  (registers the codes used here)
from libdesk.programs.models import (
    ACTIVE,
    CAPACITY_MAX,
    Audience,
    Event,
    Frequency,
    Registration,
    Series,
    Status,
)
from libdesk.programs.tasks import (
    send_event_cancelled_notice,
    send_promotion_notice,
    send_registration_confirmation,
)

log = logging.getLogger(__name__)
EVENT = "event"
REGISTRATION = "event_registration"
OCCURRENCES_MAX = 52
ROOM_MAX = 100
PHONE = re.compile(r"\+?[0-9()\-. ]{3,40}")
# A run of this many digits (one fewer without a leading "+") is read as a library card
# number, which an anonymous caller must never type (they sign in instead): phone numbers run
# to 12 digits with their country code almost everywhere.
CARD_LIKE_DIGITS = 13


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDetails:
    """An event as a door received it; the service checks every field."""

    title_en: str
    audience: str
    branch: str  # the branch's code
    organizer_id: int
    starts_at: datetime
    ends_at: datetime
    title_fr: str = ""
    description_en: str = ""
    description_fr: str = ""
    room: str = ""
    registration_required: bool = True
    capacity: int | None = None
    accessibility_en: str = ""
    accessibility_fr: str = ""


def _text(
    field: str, value: str, limit: int, *, required: bool = False, one_line: bool = False
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InputError(field, _("please fill this in"))
    if len(value) > limit:
        raise InputError(field, _("at most %(limit)d characters") % {"limit": limit})
    if one_line and any(c in value for c in "\r\n\x0b\x0c\x85\u2028\u2029"):
        # a title goes into mail subjects and calendar lines: one line only
        raise InputError(field, _("one line, without line breaks"))
    return value


def _fields(details: EventDetails) -> dict:
    """The model's fields from the details, or an InputError naming the first bad one."""
    if details.audience not in Audience.values:
        raise InputError("audience", _("one of: %s") % ", ".join(Audience.values))
    branch = Branch.objects.filter(code=details.branch).first()
    if branch is None:
        raise InputError("branch", _("no such branch"))
    organizer = StaffUser.objects.filter(
        pk=details.organizer_id, is_active=True, role__in=ORGANIZER_ROLES
    ).first()
    if organizer is None:
        raise InputError("organizer_id", _("an active clerk or librarian"))
    for field in ("starts_at", "ends_at"):
        value = getattr(details, field)
        if value is None or value.tzinfo is None:
            raise InputError(field, _("a date and time with its time zone"))
    if details.ends_at <= details.starts_at:
        raise InputError("ends_at", _("after the start"))
    if details.ends_at - details.starts_at > timedelta(days=1):
        raise InputError(
            "ends_at", _("at most a day after the start (a longer program is a series)")
        )
    capacity = details.capacity
    if details.registration_required:
        if capacity is None or not 1 <= capacity <= CAPACITY_MAX:
            raise InputError(
                "capacity",
                _("from 1 to %(most)d when registration is required") % {"most": CAPACITY_MAX},
            )
    elif capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise InputError("capacity", _("from 1 to %(most)d, or none") % {"most": CAPACITY_MAX})
    return {
        "title_en": _text(
            "title_en", details.title_en, SHORT_TEXT_MAX, required=True, one_line=True
        ),
        "title_fr": _text("title_fr", details.title_fr, SHORT_TEXT_MAX, one_line=True),
        "description_en": _text("description_en", details.description_en, LONG_TEXT_MAX),
        "description_fr": _text("description_fr", details.description_fr, LONG_TEXT_MAX),
        "accessibility_en": _text("accessibility_en", details.accessibility_en, LONG_TEXT_MAX),
        "accessibility_fr": _text("accessibility_fr", details.accessibility_fr, LONG_TEXT_MAX),
        "room": _text("room", details.room, ROOM_MAX, one_line=True),
        "audience": details.audience,
        "branch": branch,
        "organizer": organizer,
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "registration_required": details.registration_required,
        "capacity": capacity,
    }


def _staff_record(staff: StaffUser, workstation, action: str, event_id: int, reason="") -> None:
    audit.record(
        Actor.staff(staff, workstation), action, object_type=EVENT, object_id=event_id,
        reason=reason,
    )  # fmt: skip


def create_event(staff: StaffUser, workstation, details: EventDetails) -> Event:
    """A one-off event."""
    require(staff.role, EVENT, "create", Context.NONE)
    fields = _fields(details)
    with transaction.atomic():
        now = clock.now()
        event = Event.objects.create(**fields, created_at=now, updated_at=now)
        _staff_record(staff, workstation, "programs.event.create", event.pk)
    return event


def _same_weekday_of_month(day: date, months: int) -> date:
    """The same weekday of the month `months` later: the second Thursday gives the second
    Thursday (a fifth one gives the month's last)."""
    nth = (day.day - 1) // 7
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    offset = (day.weekday() - date(year, month, 1).weekday()) % 7
    last = calendar.monthrange(year, month)[1]
    number = 1 + offset + 7 * nth
    return date(year, month, number if number <= last else number - 7)


def _shift(moment: datetime, frequency: str, step: int) -> datetime:
    """The `step`th occurrence after `moment`, at the same local time of day (across a change
    of clocks): weekly, or on the same weekday of the month."""
    zone = clock.library_zone()
    start = moment.astimezone(zone)
    if frequency == Frequency.WEEKLY:
        day = start.date() + timedelta(weeks=step)
    else:
        day = _same_weekday_of_month(start.date(), step)
    return datetime.combine(day, start.time().replace(tzinfo=None), tzinfo=zone)


def create_series(
    staff: StaffUser, workstation, details: EventDetails, frequency: str, occurrences: int
) -> Series:
    """A recurring program: `occurrences` events, weekly or monthly from the first, each
    registered for separately (the same local time, across a change of clocks)."""
    require(staff.role, EVENT, "create", Context.NONE)
    if frequency not in Frequency.values:
        raise InputError("frequency", _("one of: %s") % ", ".join(Frequency.values))
    if not 2 <= occurrences <= OCCURRENCES_MAX:
        raise InputError("occurrences", _("from 2 to %(most)d") % {"most": OCCURRENCES_MAX})
    _fields(details)
    length = details.ends_at - details.starts_at
    with transaction.atomic():
        now = clock.now()
        series = Series.objects.create(frequency=frequency, created_at=now)
        for step in range(occurrences):
            starts = _shift(details.starts_at, frequency, step)
            fields = _fields(replace(details, starts_at=starts, ends_at=starts + length))
            event = Event.objects.create(**fields, series=series, created_at=now, updated_at=now)
            _staff_record(staff, workstation, "programs.event.create", event.pk)
    return series


def _locked_event(event_id: int) -> Event:
    event = Event.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        raise NotFound
    return event


def organizer_context(staff: StaffUser, event: Event) -> Context:
    return Context.ORGANIZER if event.organizer_id == staff.pk else Context.NONE


def edit_event(staff: StaffUser, workstation, event_id: int, details: EventDetails) -> Event:
    """Change an event (its organizer, the Head Librarian or an administrator). A larger
    capacity gives the new places to the first in line; a smaller one may not take back a
    place already given."""
    fields = _fields(details)
    with transaction.atomic():
        event = _locked_event(event_id)
        context = organizer_context(staff, event)
        require(staff.role, EVENT, "change", context)
        if fields["organizer"].pk != event.organizer_id and context != Context.ORGANIZER:
            # Who registered is the organizer's to see: only they hand the event on, or
            # anyone could make themselves organizer and read the list.
            raise InputError("organizer", _("only the event's organizer can hand it to another"))
        registered = event.registrations.filter(status=Status.REGISTERED).count()
        if fields["registration_required"] and fields["capacity"] < registered:
            raise Refused(Decision.refuse("event_capacity_below_registered", registered=registered))
        for name, value in fields.items():
            setattr(event, name, value)
        event.updated_at = clock.now()
        event.save()
        _staff_record(staff, workstation, "programs.event.change", event.pk)
        _fill_places(event)
    return event


def cancel_event(staff: StaffUser, workstation, event_id: int) -> Event:
    """Cancel an event: everyone registered or waiting is told (their registrations stay
    until the purge, so the organizer can still see whom it concerned)."""
    with transaction.atomic():
        event = _locked_event(event_id)
        require(staff.role, EVENT, "change", organizer_context(staff, event))
        if event.cancelled:
            return event
        event.cancelled, event.updated_at = True, clock.now()
        event.save(update_fields=["cancelled", "updated_at"])
        _staff_record(staff, workstation, "programs.event.cancel", event.pk)
        for registration_id in event.registrations.filter(status__in=ACTIVE).values_list(
            "pk", flat=True
        ):
            enqueue_after_commit(send_event_cancelled_notice, registration_id)
    return event


# --- Registering --------------------------------------------------------------------------


@dataclass(frozen=True)
class Registrant:
    """Who registers: a signed-in patron (`patron_id`), or anyone with a name and one way to
    reach them (an e-mail address or a phone number, in `contact`)."""

    patron_id: int | None = None
    name: str = ""
    contact: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Registered:
    registration: Registration
    cancel_token: str  # shown once; only its hash is kept
    position: int | None  # in the waitlist; None when registered
    decision: Decision


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


CARD_WORDS = gettext_lazy(
    "this looks like a library card number: sign in to register with your card, or give an "
    "e-mail address or a phone number"
)


def _card_like(text: str, digits: int = CARD_LIKE_DIGITS) -> bool:
    """A run of `digits` digits once separators (spaces, dashes, dots, brackets, a +) are
    taken out: read as a library card number, which an anonymous caller never types."""
    return re.search(f"[0-9]{{{digits},}}", re.sub(r"[^0-9A-Za-z@]", "", text)) is not None


def _anonymous_fields(registrant: Registrant) -> dict:
    name = _text("name", registrant.name, SHORT_TEXT_MAX, required=True, one_line=True)
    if _card_like(name, 6):
        raise InputError("name", _("your name, without numbers"))
    contact = _text("contact", registrant.contact, SHORT_TEXT_MAX, required=True)
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError as exc:
            raise InputError("contact", _("not a valid e-mail address")) from exc
        if _card_like(contact.split("@")[0]):
            raise InputError("contact", CARD_WORDS)
        return {"name": name, "contact_email": contact.lower(), "contact_phone": ""}
    if not PHONE.fullmatch(contact) or not 7 <= len(_digits(contact)) <= 15:
        raise InputError("contact", _("an e-mail address, or a phone number (7 to 15 digits)"))
    too_long = CARD_LIKE_DIGITS if contact.startswith("+") else CARD_LIKE_DIGITS - 1
    if len(_digits(contact)) >= too_long:
        raise InputError("contact", CARD_WORDS)
    return {"name": name, "contact_email": "", "contact_phone": contact}


def _already_registered(event: Event, patron_id: int | None) -> bool:
    """A patron signed in already holds a place or a place in line. An anonymous caller is
    never told whether a name or contact is registered: that answer would tell anyone who
    goes to a program (the organizer sees a second registration with the same contact)."""
    if patron_id is None:
        return False
    return event.registrations.filter(status__in=ACTIVE, patron_id=patron_id).exists()


def _check_open(event: Event) -> None:
    if event.cancelled:
        raise Refused(Decision.refuse("event_cancelled"))
    if event.starts_at <= clock.now():
        raise Refused(Decision.refuse("event_in_the_past"))


def position_of(registration: Registration) -> int | None:
    """The registration's number in the waitlist (1 is next), None when not waiting."""
    if registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        Q(joined_at__lt=registration.joined_at)
        | Q(joined_at=registration.joined_at, pk__lt=registration.pk),
        event_id=registration.event_id,
        status=Status.WAITLISTED,
    ).count()
    return ahead + 1


def register(
    event_id: int, registrant: Registrant, *, link: Callable[[str], str] | None = None
) -> Registered:
    """Register for an event: a place if one is free, else a place in line. Refused for an
    event that has started, is cancelled or takes no registrations, and for someone who
    already has a place or a place in line. `link` makes the cancel link from the token for
    the confirmation e-mail (sent after the commit; the token itself is kept nowhere)."""
    language = registrant.language if registrant.language in ("en", "fr") else "en"
    if registrant.patron_id is not None:
        require("patron", REGISTRATION, "create", Context.SELF)
        fields = {"patron_id": registrant.patron_id}
        actor = Actor.patron(registrant.patron_id)
    else:
        require("public", REGISTRATION, "create", Context.NONE)
        fields = _anonymous_fields(registrant)
        actor = Actor.public()
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        event = _locked_event(event_id)
        _check_open(event)
        if not event.registration_required:
            raise Refused(Decision.refuse("event_no_registration"))
        if _already_registered(event, registrant.patron_id):
            raise Refused(Decision.refuse("event_already_registered"))
        taken = event.registrations.filter(status=Status.REGISTERED).count()
        status = Status.REGISTERED if taken < event.capacity else Status.WAITLISTED
        registration = Registration.objects.create(
            event=event,
            status=status,
            joined_at=clock.now(),
            language=language,
            cancel_token_hash=token_hash(token),
            **fields,
        )
        audit.record(
            actor, "programs.register", object_type=REGISTRATION, object_id=registration.pk,
            reason=status,
        )  # fmt: skip
        position = position_of(registration)
        if link is not None:
            cancel_url = link(token)
            transaction.on_commit(lambda: _confirm(registration.pk, cancel_url), robust=True)
    if status == Status.REGISTERED:
        decision = Decision.allow("event_registered")
    else:
        decision = Decision.allow("event_waitlisted", position=position)
    return Registered(registration, token, position, decision)


def _confirm(registration_id: int, cancel_url: str) -> None:
    """The confirmation with the cancel link. A mail failure is logged (without the link) and
    never costs the caller their answer, which carries the token too."""
    try:
        send_registration_confirmation(registration_id, cancel_url)
    except Exception:
        log.exception("programs: the confirmation of registration %s was not sent", registration_id)


def registration_by_token(token: str) -> Registration | None:
    """The registration a private cancel link opens (None for an unknown token)."""
    if not token or len(token) > 128:
        return None
    return (
        Registration.objects.select_related("event", "event__branch")
        .filter(cancel_token_hash=token_hash(token))
        .first()
    )


def _withdraw(registration_id: int, actor: Actor, by: str) -> Registration:
    """End a registration (locked with its event): "declined" for a person given a place from
    the waitlist, "cancelled" otherwise; a place freed goes to the first in line."""
    event_id = Registration.objects.filter(pk=registration_id).values_list("event_id", flat=True)
    with transaction.atomic():
        event = _locked_event(event_id.first() or 0)
        registration = Registration.objects.get(pk=registration_id)
        if registration.status not in ACTIVE:
            raise Refused(Decision.refuse("event_registration_ended"))
        if event.starts_at <= clock.now():
            raise Refused(Decision.refuse("event_in_the_past"))
        frees_a_place = registration.status == Status.REGISTERED
        promoted = registration.promoted_at is not None
        registration.status = Status.DECLINED if promoted else Status.CANCELLED
        registration.ended_at = clock.now()
        registration.save(update_fields=["status", "ended_at"])
        audit.record(
            actor,
            "programs.withdraw",
            object_type=REGISTRATION,
            object_id=registration.pk,
            reason=registration.status,
        )
        audit.record(
            actor, "programs.withdraw.by", object_type=REGISTRATION,
            object_id=registration.pk, reason=by,
        )  # fmt: skip
        if frees_a_place and not event.cancelled:
            _fill_places(event)
    return registration


def withdraw_own(patron_id: int, registration_id: int) -> Registration:
    """A signed-in patron cancels (or declines) their own registration; someone else's is
    "not found", as one that does not exist."""
    require("patron", REGISTRATION, "change", Context.SELF)
    if not Registration.objects.filter(pk=registration_id, patron_id=patron_id).exists():
        raise NotFound
    return _withdraw(registration_id, Actor.patron(patron_id), "own_account")


def withdraw_by_token(token: str) -> Registration:
    """Whoever holds the private cancel link cancels (or declines) that registration."""
    require("public", REGISTRATION, "change", Context.CANCEL_LINK)
    registration = registration_by_token(token)
    if registration is None:
        raise NotFound
    return _withdraw(registration.pk, Actor.public(), "cancel_link")


def _fill_places(event: Event) -> list[int]:
    """Give every free place to the first in line, strictly in the order they joined (the
    event's row is locked by the caller). Each person promoted is told after the commit."""
    if not event.registration_required or event.cancelled or event.starts_at <= clock.now():
        return []
    taken = event.registrations.filter(status=Status.REGISTERED).count()
    free = max(event.capacity - taken, 0)
    if free == 0:
        return []
    line = list(
        event.registrations.filter(status=Status.WAITLISTED)
        .order_by("joined_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    now = clock.now()
    for registration_id in line:
        Registration.objects.filter(pk=registration_id).update(
            status=Status.REGISTERED, promoted_at=now
        )
        audit.record(
            Actor.system(), "programs.promote", object_type=REGISTRATION,
            object_id=registration_id,
        )  # fmt: skip
        enqueue_after_commit(send_promotion_notice, registration_id)
    return line


# --- Keeping as little as possible --------------------------------------------------------


def purge_past_registrations() -> int:
    """LIBDESK_EVENT_CONTACT_RETENTION_DAYS after an event ends, its registrations (names,
    contacts, links to patrons) are deleted; the event keeps how many were registered and
    waiting. One transaction: a purge killed half-way leaves each event whole or done.
    Answers how many registrations were deleted."""
    days = settings.LIBDESK["EVENT_CONTACT_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    with transaction.atomic():
        ended = list(
            Event.objects.filter(ends_at__lt=cutoff, registrations__isnull=False)
            .values_list("pk", flat=True)
            .distinct()
        )
        # the events' rows locked on their own (PostgreSQL locks no DISTINCT or joined rows)
        list(Event.objects.select_for_update().filter(pk__in=ended).values_list("pk"))
        counts = (
            Event.objects.filter(pk__in=ended)
            .annotate(
                registered=Count(
                    "registrations", filter=Q(registrations__status=Status.REGISTERED)
                ),
                waitlisted=Count(
                    "registrations", filter=Q(registrations__status=Status.WAITLISTED)
                ),
            )
            .values_list("pk", "registered", "waitlisted")
        )
        ids = []
        for event_id, registered, waitlisted in counts:
            Event.objects.filter(pk=event_id).update(
                final_registered=registered, final_waitlisted=waitlisted
            )
            ids.append(event_id)
        return Registration.objects.filter(event_id__in=ids).delete()[0]


def close_account(patron_id: int) -> int:
    """Closing the account: each upcoming place the patron holds is given up as they would
    give it up (the next in line is promoted), then all their registrations are deleted."""
    upcoming = Registration.objects.filter(
        patron_id=patron_id, status__in=ACTIVE, event__starts_at__gt=clock.now()
    ).values_list("pk", flat=True)
    for registration_id in list(upcoming):
        _withdraw(registration_id, Actor.patron(patron_id), "own_account")
    return Registration.objects.filter(patron_id=patron_id).delete()[0]
