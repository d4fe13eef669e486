"""The patron's privacy pages (consent, reading history, download my data, a correction
request, closing the account) and the desk's list of a served patron's correction requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.purposes import Access
from libdesk.access.table import DESK_ROLES
from libdesk.accounts.decorators import staff_required
from libdesk.circulation import reading_history
from libdesk.core.bounds import parse_id
from libdesk.core.decisions import Refused
from libdesk.core.errors import NotFound
from libdesk.patrons import selectors as patron_selectors
from libdesk.patrons import services as patron_services
from libdesk.patrons.models import ConsentChannel, ConsentPurpose
from libdesk.patrons.serving_page import context_or_404
from libdesk.privacy.services import serving_access
from libdesk.rights import selectors, services
from libdesk.rights.forms import CloseAccountForm, ConsentsForm, CorrectionForm
from libdesk.rights.services import RightsError
from libdesk.web.decorators import render_refusal
from libdesk.web.patron_session import signed_in_patron_id


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _signed_in(request: HttpRequest) -> Access | None:
    patron_id = signed_in_patron_id(request)
    return Access.own(patron_id) if patron_id is not None else None


@never_cache
def privacy(request: HttpRequest, correction_form: CorrectionForm | None = None) -> HttpResponse:
    """Consent per purpose, open correction requests, and the ways to the other rights."""
    access = _signed_in(request)
    if access is None:
        return redirect("web:patron-sign-in")
    consents = patron_selectors.consents(access)
    form = ConsentsForm(initial={p: bool(r and r.given) for p, r in consents.items()})
    answers = [(ConsentPurpose(p).label, r) for p, r in consents.items() if r is not None]
    return _private(
        render(
            request,
            "rights/privacy.html",
            {
                "consents_form": form,
                "answers": answers,
                "correction_form": correction_form or CorrectionForm(),
                "corrections": list(selectors.open_corrections(access)),
            },
            status=400 if correction_form is not None else 200,
        )
    )


@require_POST
def act(request: HttpRequest, action: str) -> HttpResponse:
    """Save consent choices, ask for a correction, or delete the reading history."""
    access = _signed_in(request)
    if access is None:
        return redirect("web:patron-sign-in")
    if action == "consents":
        form = ConsentsForm(request.POST)
        form.is_valid()  # boxes: always valid
        patron_services.set_consents(access, form.cleaned_data, ConsentChannel.WEB)
        messages.success(request, _("Your choices were saved."))
        if not form.cleaned_data["reading_history"]:
            messages.info(request, _("No reading history is kept for you."))
    elif action == "correction":
        form = CorrectionForm(request.POST)
        try:
            if not form.is_valid():
                return privacy(request, correction_form=form)
            services.ask_correction(access, form.cleaned_data["text"])
        except RightsError as error:
            form.add_error("text", error.message)
            return privacy(request, correction_form=form)
        messages.success(request, _("Your request was sent to staff."))
    elif action == "delete-history":
        deleted = reading_history.delete_history(access)
        messages.success(request, _("Titles deleted from your reading history: %d.") % deleted)
        return redirect("rights:history")
    else:
        raise Http404
    return redirect("rights:privacy")


@never_cache
def history(request: HttpRequest) -> HttpResponse:
    access = _signed_in(request)
    if access is None:
        return redirect("web:patron-sign-in")
    keeping = patron_selectors.consents(access)[ConsentPurpose.READING_HISTORY]
    return _private(
        render(
            request,
            "rights/history.html",
            {
                "entries": list(reading_history.history(access)),
                "keeping": bool(keeping and keeping.given),
            },
        )
    )


@never_cache
def export(request: HttpRequest) -> HttpResponse:
    """Everything libdesk holds about the patron, as a JSON file to keep."""
    access = _signed_in(request)
    if access is None:
        return redirect("web:patron-sign-in")
    response = JsonResponse(
        selectors.export_for(access), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-library-data.json"'
    return _private(response)


@never_cache
def close(request: HttpRequest) -> HttpResponse:
    """What closing does to each kind of data, whether it can close now, and the confirm."""
    access = _signed_in(request)
    if access is None:
        return redirect("web:patron-sign-in")
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_account(access)
        except Refused as refused:
            return render_refusal(request, refused)
        request.session.flush()
        return _private(render(request, "rights/closed.html"))
    context = {
        "form": form,
        "plan": selectors.closing_plan(),
        "refusal": services.closing_refusal(access),
    }
    return _private(render(request, "rights/close.html", context))


@staff_required(roles=DESK_ROLES)
def corrections(request: HttpRequest, context_id) -> HttpResponse:
    """A served patron's open correction requests; staff mark one done once handled (which
    deletes it). One already handled, or not this patron's, is simply no longer there."""
    context = context_or_404(request, context_id)
    access = serving_access(context)
    if request.method == "POST":
        correction_id = parse_id(request.POST.get("correction_id"))
        try:
            if correction_id is None:
                raise NotFound
            services.correction_done(access, correction_id)
            messages.success(request, _("Marked as handled; the request was deleted."))
        except NotFound:
            messages.info(request, _("That request was already handled."))
        return redirect("rights:corrections", context_id=context.pk)
    return render(
        request,
        "rights/corrections.html",
        {
            "context": context,
            "patron": patron_selectors.patron_profile(access),
            "corrections": list(selectors.open_corrections(access)),
        },
    )
