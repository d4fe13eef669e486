"""Programs over the API: the calendar (anyone), registering (anyone with a name and one
contact, or a patron with their token), and cancelling a registration, by the patron who made
it (their token) or by whoever holds its secret cancel token (the `X-Cancel-Token` header,
never the URL: docs/api.md).

A registration the caller may not touch answers 404, whether or not it exists.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from libdesk.api.models import ApiToken
from libdesk.api.schemas import DetailOut, RefusalOut
from libdesk.api.tokens import resolve
from libdesk.core.bounds import CODE_MAX, ID_MAX, SECRET_MAX, Code, SaneDateTime, ShortText
from libdesk.core.errors import InputError, NotFound
from libdesk.core.ratelimit import check_anonymous_form, client_address
from libdesk.programs import selectors, services
from libdesk.programs.models import Audience

router = Router(tags=["programs"])

EventId = Annotated[int, Path(ge=1, le=ID_MAX)]
RegistrationId = Annotated[int, Path(ge=1, le=ID_MAX)]
AudienceFilter = Literal[("", *Audience.values)]  # type: ignore[valid-type]
CANCEL_HEADER = "X-Cancel-Token"


class EventFilters(Schema):
    branch: Code = ""
    audience: AudienceFilter = ""
    from_: SaneDateTime | None = Field(None, alias="from")
    to: SaneDateTime | None = None


class EventOut(Schema):
    id: int
    title: str
    title_fr: str
    description: str
    description_fr: str
    audience: str
    branch: str
    branch_name: str
    room: str
    starts_at: datetime
    ends_at: datetime
    registration_required: bool
    capacity: int | None
    places_left: int | None
    waitlisted: int
    accessibility: str
    accessibility_fr: str
    cancelled: bool
    series_id: int | None
    url: str
    ics: str


class RegisterIn(Schema):
    name: ShortText = ""
    contact: ShortText = ""  # an e-mail address or a phone number; never a card number
    language: Literal["en", "fr"] = "en"


class RegisteredOut(Schema):
    id: int
    status: Literal["registered", "waitlisted"]
    position: int | None
    cancel_token: str


class WithdrawnOut(Schema):
    id: int
    status: Literal["cancelled", "declined"]


def _patron_token(request: HttpRequest) -> ApiToken | None:
    """A live patron token, if the caller sent one (registering is open to anyone)."""
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not bearer or len(bearer) > CODE_MAX * 4:
        return None
    return resolve(bearer, ApiToken.PATRON)


def _event_out(request: HttpRequest, event) -> dict:
    return {
        "id": event.pk,
        "title": event.title_en,
        "title_fr": event.title_fr,
        "description": event.description_en,
        "description_fr": event.description_fr,
        "audience": event.audience,
        "branch": event.branch.code,
        "branch_name": event.branch.name,
        "room": event.room,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "registration_required": event.registration_required,
        "capacity": event.capacity,
        "places_left": selectors.places_left(event),
        "waitlisted": event.waitlisted,
        "accessibility": event.accessibility_en,
        "accessibility_fr": event.accessibility_fr,
        "cancelled": event.cancelled,
        "series_id": event.series_id,
        "url": request.build_absolute_uri(reverse("programs:event", args=[event.pk])),
        "ics": request.build_absolute_uri(reverse("programs:event-ics", args=[event.pk])),
    }


@router.get("/events", response=list[EventOut], auth=None)
def events(request: HttpRequest, filters: Query[EventFilters]) -> list[dict]:
    """Programs not yet ended, soonest first (at most 200): by branch code, audience, and a
    window of start times (`from`, `to`; `from` defaults to now)."""
    if filters.from_ and filters.to and filters.to <= filters.from_:
        error = InputError("to", _("after `from`"))
        error.location = "query"
        raise error
    found = selectors.upcoming(
        branch=filters.branch, audience=filters.audience, start=filters.from_, end=filters.to
    )
    return [_event_out(request, event) for event in found]


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegisteredOut, 409: RefusalOut, 429: RefusalOut},
    auth=None,
)
def register(request: HttpRequest, event_id: EventId, body: RegisterIn):
    """Register for an event: with a patron token, with the patron's account (send no name
    or contact); otherwise with `name` and one `contact` (an e-mail address or a phone
    number). 201 with `registered`, or `waitlisted` and the `position` in line (1 is next);
    `cancel_token` cancels it later (DELETE /registrations/{id} with the X-Cancel-Token
    header) and is shown only now. 409 when the event has started, is cancelled, takes no
    registrations, or the person already has a place."""
    token = _patron_token(request)
    if token is not None:
        if body.name or body.contact:
            raise InputError(
                "name", _("a signed-in patron registers with their account: send none")
            )
        registrant = services.Registrant(patron_id=token.patron_id, language=body.language)
    else:
        check_anonymous_form("event-registration", client_address(request))
        registrant = services.Registrant(
            name=body.name, contact=body.contact, language=body.language
        )

    def link(secret: str) -> str:
        return request.build_absolute_uri(reverse("programs:cancel", args=[secret]))

    registered = services.register(event_id, registrant, link=link)
    return Status(
        201,
        {
            "id": registered.registration.pk,
            "status": registered.registration.status,
            "position": registered.position,
            "cancel_token": registered.cancel_token,
        },
    )


@router.delete(
    "/registrations/{registration_id}",
    response={200: WithdrawnOut, 401: DetailOut, 409: RefusalOut},
    auth=None,
)
def withdraw(request: HttpRequest, registration_id: RegistrationId):
    """Cancel a registration (or decline a place given from the waitlist; the next in line
    gets it): with the patron token of the patron who made it, or with its secret cancel
    token in the `X-Cancel-Token` header. 401 with neither; 404 for a registration that is
    not the caller's."""
    token = _patron_token(request)
    secret = request.headers.get(CANCEL_HEADER, "")[: SECRET_MAX + 1]
    if token is not None:
        ended = services.withdraw_own(token.patron_id, registration_id)
    elif secret:
        found = services.registration_by_token(secret)
        if found is None or found.pk != registration_id:
            raise NotFound
        ended = services.withdraw_by_token(secret)
    else:
        return Status(
            401, {"detail": f"Send a patron token, or the registration's {CANCEL_HEADER}."}
        )
    return Status(200, {"id": ended.pk, "status": ended.status})
