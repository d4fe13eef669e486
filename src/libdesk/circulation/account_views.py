"""The patron's own circulation pages: renew, cancel or suspend holds, place holds, and ask for
what the library cannot lend now (interlibrary loan, purchase suggestion)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.purposes import Access
from libdesk.catalog.models import Record
from libdesk.circulation import selectors, services
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.forms import PatronHoldForm, RequestForm, SuspendForm
from libdesk.circulation.services.alternatives import alternatives_for
from libdesk.core.bounds import parse_id
from libdesk.core.decisions import Refused
from libdesk.patrons.models import Patron
from libdesk.patrons.selectors import patron_profile
from libdesk.web.patron_session import signed_in_patron_id


def _patron(request: HttpRequest) -> Patron | None:
    patron_id = signed_in_patron_id(request)
    return patron_profile(Access.own(patron_id)) if patron_id else None


def _decision_page(request, decision, status: int = 200, **extra) -> HttpResponse:
    response = render(
        request,
        "circulation/account_decision.html",
        {"decision": decision, **extra},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


HOLD_ACTIONS = ("cancel-hold", "suspend-hold", "resume-hold")


@require_POST
def act(request: HttpRequest, action: str) -> HttpResponse:
    """Renew a loan; cancel, suspend or resume a hold. Someone else's id is simply not found."""
    patron = _patron(request)
    if patron is None:
        return redirect("web:patron-sign-in")
    desk, access = Desk.self_service(patron.home_branch), Access.own(patron.pk)
    try:
        if action == "renew":
            loan = selectors.loan_for(access, request.POST.get("loan_id"), action="change")
            return _decision_page(request, services.renew(desk, loan).decision)
        if action not in HOLD_ACTIONS:
            raise Http404
        hold = selectors.hold_for(access, request.POST.get("hold_id"), action="change")
        if action == "cancel-hold":
            services.cancel_hold(desk, hold)
            messages.success(request, _("Hold cancelled."))
        elif action == "suspend-hold":
            form = SuspendForm(request.POST)
            if not form.is_valid():
                raise CirculationError("until", " ".join(form.errors["until"]))
            services.suspend_hold(desk, hold, form.cleaned_data["until"])
            messages.success(request, _("Hold suspended; it keeps its place in line."))
        else:
            services.resume_hold(desk, hold)
            messages.success(request, _("Hold resumed."))
    except Refused as refused:
        return _decision_page(request, refused.decision, status=409)
    except CirculationError as error:
        messages.error(request, error.message)
    return redirect("patrons:account")


@require_POST
def place_hold(request: HttpRequest) -> HttpResponse:
    """From a record page: join the queue, and see your place in it."""
    patron = _patron(request)
    if patron is None:
        return redirect("web:patron-sign-in")
    record_id = parse_id(request.POST.get("record_id"))
    record = Record.objects.filter(pk=record_id).first() if record_id else None
    if record is None:
        raise Http404
    form = PatronHoldForm(request.POST, copies=services.holdable_copies(record))
    if not form.is_valid():
        return _hold_form_page(request, record, form)
    data = form.cleaned_data
    chosen = form.copies.get(data["copy"])
    desk = Desk.self_service(patron.home_branch)
    try:
        hold, decision = services.place_hold(
            desk,
            patron,
            pickup_branch=data["pickup_branch"],
            record=None if chosen else record,
            item=chosen,
            any_edition=data["any_edition"],
            formats=tuple(data["formats"]),
        )
    except Refused as refused:
        return _decision_page(request, refused.decision, status=409, record=record)
    place = services.queue_place(hold)
    return _decision_page(request, decision, record=record, hold=hold, place=place)


def _hold_form_page(request, record: Record, form: PatronHoldForm) -> HttpResponse:
    """The hold form again, with what was wrong next to the field it concerns."""
    response = render(
        request, "circulation/hold_form.html", {"form": form, "record": record}, status=422
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def new_request(request: HttpRequest) -> HttpResponse:
    """Ask for an interlibrary loan or suggest a purchase."""
    patron = _patron(request)
    if patron is None:
        return redirect("web:patron-sign-in")
    record = None
    record_id = parse_id(request.POST.get("record_id") or request.GET.get("record"))
    if record_id:
        record = Record.objects.filter(pk=record_id).first()
    initial = {"kind": request.GET.get("kind", "ill"), "record_id": record.pk if record else None}
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made, decision = services.submit_request(
                Desk.self_service(patron.home_branch),
                patron,
                kind=data["kind"],
                pickup_branch=patron.home_branch,
                record=record,
                title=data["title"],
                author=data["author"],
                isbn=data["isbn"],
                note=data["note"],
            )
        except Refused as refused:
            return _decision_page(request, refused.decision, status=409)
        except CirculationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _decision_page(request, decision, made_request=made)
    alternatives = alternatives_for(record, patron, patron.home_branch) if record else ()
    response = render(
        request,
        "circulation/request_form.html",
        {"form": form, "record": record, "alternatives": alternatives},
    )
    response["Cache-Control"] = "no-store"
    return response
