"""Programs on the public site: the calendar (by date, branch and audience), an event's page
(with its schema.org Event data), registering (a signed-in patron in one click, anyone else
with a name and one contact), the confirmation with the private cancel link, the cancel page
that link opens (no sign-in needed), and the calendar feeds. Views fetch, call a service or
selector, render."""

import json
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from libdesk.core.bounds import SEARCH_TEXT_MAX
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.library.selectors import the_library
from libdesk.programs import calendar, selectors, services
from libdesk.programs.forms import CalendarForm, RegisterForm
from libdesk.programs.models import Audience, Status
from libdesk.web.decorators import rate_limited_form, render_refusal
from libdesk.web.form_errors import add_service_error, errors_by_label
from libdesk.web.patron_session import signed_in_patron_id


def _language() -> str:
    return "fr" if get_language().startswith("fr") else "en"


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    """Upcoming programs, soonest first; a month from the chosen day when one is given."""
    form = CalendarForm(request.GET or None)
    start, end = form.window()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = selectors.upcoming(
        branch=data.get("branch", ""), audience=data.get("audience", ""), start=start, end=end
    )
    query = {key: data[key] for key in ("branch", "audience") if data.get(key)}
    feed = reverse("programs:feed") + (f"?{urlencode(query)}" if query else "")
    context = {
        "form": form,
        "events": [(event, selectors.places_left(event)) for event in found],
        "language": _language(),
        "audiences": dict(Audience.choices),
        "feed": feed,
    }
    return render(request, "programs/events.html", context, status=422 if form.errors else 200)


def _json_ld(request: HttpRequest, event, places_left) -> str:
    language = _language()
    library = the_library()
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title(language),
        "description": event.description(language) or None,
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if event.cancelled else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": True,
        "inLanguage": language,
        "audience": {"@type": "Audience", "audienceType": str(Audience(event.audience).label)},
        "location": {
            "@type": "Place",
            "name": event.branch.name + (f", {event.room}" if event.room else ""),
            "address": event.branch.address,
        },
        "organizer": {"@type": "Organization", "name": library.name if library else "libdesk"},
        "url": request.build_absolute_uri(reverse("programs:event", args=[event.pk])),
        "maximumAttendeeCapacity": event.capacity if event.registration_required else None,
        "remainingAttendeeCapacity": places_left,
    }
    text = json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)
    escaped = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(escaped)  # noqa: S308 - escaped above


def _event_page(request, event_id: int, *, form=None, status: int = 200) -> HttpResponse:
    found = selectors.event(event_id)
    places_left = selectors.places_left(found)
    patron_id = signed_in_patron_id(request)
    context = {
        "event": found,
        "language": _language(),
        "places_left": places_left,
        "json_ld": _json_ld(request, found, places_left),
        "audience": Audience(found.audience).label,
        "signed_in": patron_id is not None,
        "form": form or RegisterForm(),
        "errors": errors_by_label(form) if form is not None else [],
        "open": found.registration_required and not found.cancelled,
    }
    return render(request, "programs/event.html", context, status=status)


@require_GET
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    return _event_page(request, event_id)


@rate_limited_form("event-registration")
@require_POST
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    """Register: a signed-in patron with their account (nothing typed), anyone else with the
    form. The answer shows the private cancel link once."""
    patron_id = signed_in_patron_id(request)
    form = None
    if patron_id is not None:
        registrant = services.Registrant(patron_id=patron_id, language=_language())
    else:
        form = RegisterForm(request.POST)
        if not form.is_valid():
            return _event_page(request, event_id, form=form, status=422)
        registrant = services.Registrant(
            name=form.cleaned_data["name"],
            contact=form.cleaned_data["contact"],
            language=_language(),
        )

    def link(token: str) -> str:
        return request.build_absolute_uri(reverse("programs:cancel", args=[token]))

    try:
        registered = services.register(event_id, registrant, link=link)
    except InputError as error:
        form = form or RegisterForm()
        add_service_error(form, error)
        return _event_page(request, event_id, form=form, status=422)
    except Refused as refused:
        return render_refusal(request, refused)
    context = {
        "registered": registered,
        "event": registered.registration.event,
        "language": _language(),
        "cancel_link": link(registered.cancel_token),
        "signed_in": patron_id is not None,
    }
    response = render(request, "programs/registered.html", context, status=201)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def cancel(request: HttpRequest, cancel_token: str) -> HttpResponse:
    """What the private link opens: the registration's status (and place in line), and the
    button that cancels it, or declines a place given from the waitlist."""
    registration = services.registration_by_token(cancel_token)
    if registration is None:
        raise NotFound
    done = None
    if request.method == "POST":
        try:
            registration = services.withdraw_by_token(cancel_token)
        except Refused as refused:
            return render_refusal(request, refused)
        done = registration.status
    context = {
        "registration": registration,
        "event": registration.event,
        "language": _language(),
        "position": services.position_of(registration),
        "active": registration.status in (Status.REGISTERED, Status.WAITLISTED),
        "done": done,
        "promoted": registration.promoted_at is not None,
    }
    response = render(request, "programs/cancel.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """Every upcoming program as iCalendar; `?branch=MAIN`, `?audience=children`."""
    branch = request.GET.get("branch", "")[:SEARCH_TEXT_MAX]
    audience = request.GET.get("audience", "")
    if audience and audience not in Audience.values:
        return HttpResponse(
            _("audience: one of %(values)s") % {"values": ", ".join(Audience.values)},
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    found = selectors.upcoming(branch=branch, audience=audience)
    library = the_library()
    name = _("%(library)s: programs") % {"library": library.name if library else "libdesk"}
    body = calendar.feed(found, name=name, language=_language(), link=_event_link(request))
    return _ics(body, "events.ics")


def _event_link(request: HttpRequest):
    return lambda event: request.build_absolute_uri(reverse("programs:event", args=[event.pk]))


@require_GET
def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    found = selectors.event(event_id)
    body = calendar.feed(
        [found], name=found.title(_language()), language=_language(), link=_event_link(request)
    )
    return _ics(body, f"event-{found.pk}.ics")
