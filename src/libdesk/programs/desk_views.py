"""Programs for staff: the events they manage (all of them for the Head Librarian and
administrators, their own for organizers), creating one or a series, editing, cancelling, and
the attendance list, which only the event's organizer sees. Views fetch, call a service or
selector, render."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from libdesk.access.table import ORGANIZER_ROLES, Context, Role, allowed, require, role_may_ever
from libdesk.accounts.decorators import staff_required
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.programs import selectors, services
from libdesk.programs.forms import EventForm, NewEventForm
from libdesk.programs.models import Audience, Event, Status
from libdesk.web.decorators import render_refusal
from libdesk.web.form_errors import add_service_error, errors_by_label

EVENT_STAFF = (*ORGANIZER_ROLES, Role.ADMINISTRATOR)


@staff_required(roles=EVENT_STAFF)
@require_GET
def staff_events(request: HttpRequest) -> HttpResponse:
    context = {
        "events": [(e, selectors.places_left(e)) for e in selectors.for_staff(request.user)],
        "audiences": dict(Audience.choices),
    }
    return render(request, "programs/staff_events.html", context)


@staff_required(roles=EVENT_STAFF)
def new_event(request: HttpRequest) -> HttpResponse:
    form = NewEventForm(
        request.POST or None,
        initial={"organizer": request.user.pk, "registration_required": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["repeat"]:
                series = services.create_series(
                    request.user,
                    request.workstation,
                    form.details(),
                    form.cleaned_data["repeat"],
                    form.cleaned_data["occurrences"],
                )
                messages.success(
                    request, _("%(count)d events created.") % {"count": series.events.count()}
                )
            else:
                services.create_event(request.user, request.workstation, form.details())
                messages.success(request, _("Event created."))
        except InputError as error:
            add_service_error(form, error)
        else:
            return redirect("programs:staff-events")
    status = 422 if form.is_bound else 200
    context = {"form": form, "errors": errors_by_label(form) if form.is_bound else []}
    return render(request, "programs/event_form.html", context, status=status)


def _changeable(request: HttpRequest, event_id: int) -> Event:
    """The event, if this member of staff may change it: 404 for one another organizer's,
    403 for a role that never changes events."""
    event = Event.objects.select_related("branch").filter(pk=event_id).first()
    if event is None:
        raise NotFound
    context = services.organizer_context(request.user, event)
    if not allowed(request.user.role, "event", "change", context):
        if role_may_ever(request.user.role, "event", "change"):
            raise NotFound
        require(request.user.role, "event", "change", context)
    return event


@staff_required()
def edit_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _changeable(request, event_id)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_event(request.user, request.workstation, event_id, form.details())
        except InputError as error:
            add_service_error(form, error)
        except Refused as refused:
            return render_refusal(request, refused)
        else:
            messages.success(request, _("Event saved."))
            return redirect("programs:staff-events")
    status = 422 if form.is_bound else 200
    context = {
        "form": form,
        "event": event,
        "errors": errors_by_label(form) if form.is_bound else [],
        "organizer": services.organizer_context(request.user, event) == Context.ORGANIZER,
    }
    return render(request, "programs/event_form.html", context, status=status)


@staff_required()
@require_POST
def cancel_event(request: HttpRequest, event_id: int) -> HttpResponse:
    _changeable(request, event_id)
    services.cancel_event(request.user, request.workstation, event_id)
    messages.success(request, _("The event is cancelled; everyone registered is told."))
    return redirect("programs:staff-events")


@staff_required()
@require_GET
def attendance(request: HttpRequest, event_id: int) -> HttpResponse:
    event, attendees = selectors.attendance(request.user, request.workstation, event_id)
    context = {
        "event": event,
        "registered": [a for a in attendees if a.status == Status.REGISTERED],
        "waiting": [a for a in attendees if a.status == Status.WAITLISTED],
    }
    return render(request, "programs/attendance.html", context)
