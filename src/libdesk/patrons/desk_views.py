"""The staff desk: find a patron, open their account in a serving context, act on it."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libdesk.accounts.decorators import staff_required
from libdesk.accounts.models import Role
from libdesk.core.decisions import Refused
from libdesk.patrons import selectors, services
from libdesk.patrons.forms import (
    FindByNameForm,
    GuardianForm,
    IdentityCheckForm,
    LinkGuardianForm,
    PatronForm,
    PinResetForm,
    RegisterForm,
    RenewForm,
    ReplaceCardForm,
    ScanCardForm,
)
from libdesk.patrons.services import PatronDetails, PatronError
from libdesk.privacy.models import Basis
from libdesk.privacy.services import (
    PatronNotFound,
    active_serving_context,
    end_serving_context,
    open_serving_context,
    serving_access,
)
from libdesk.web.decorators import render_refusal

DESK_ROLES = [Role.CLERK, Role.LIBRARIAN, Role.HEAD_LIBRARIAN]
NOT_FOUND = _("No patron has this card.")


@staff_required(roles=DESK_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    """Scan a card, find a patron by name, or serve a guardian."""
    name_form = FindByNameForm(request.GET or None)
    results = []
    if name_form.is_valid():
        results = selectors.search_directory(
            request.user, request.workstation, name=name_form.cleaned_data["name"]
        )
    return render(
        request,
        "patrons/desk.html",
        {
            "scan_form": ScanCardForm(),
            "name_form": name_form,
            "results": results,
            "identity_forms": [
                (p, IdentityCheckForm(initial={"patron_id": p.pk}, prefix=f"p{p.pk}"))
                for p in results
            ],
            "guardian_form": GuardianForm(),
        },
    )


@staff_required(roles=DESK_ROLES)
@require_POST
def open_by_card(request: HttpRequest) -> HttpResponse:
    form = ScanCardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scan or type the patron's card."))
        return redirect("patrons:desk")
    return _open(request, basis=Basis.CARD_PRESENTED, card=form.cleaned_data["card"])


@staff_required(roles=DESK_ROLES)
@require_POST
def open_by_identity(request: HttpRequest) -> HttpResponse:
    prefix = request.POST.get("prefix", "")
    form = IdentityCheckForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        messages.error(request, _("Record how the patron's identity was checked."))
        return redirect("patrons:desk")
    data = form.cleaned_data
    return _open(request, basis=data["basis"], patron_id=data["patron_id"], note=data["note"])


@staff_required(roles=DESK_ROLES)
@require_POST
def open_for_guardian(request: HttpRequest) -> HttpResponse:
    form = GuardianForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scan the child's card and the guardian's card."))
        return redirect("patrons:desk")
    guardian = selectors.patron_by_card(form.cleaned_data["guardian_card"])
    return _open(
        request,
        basis=form.cleaned_data["basis"],
        card=form.cleaned_data["child_card"],
        guardian=guardian,
    )


def _open(request: HttpRequest, **how) -> HttpResponse:
    try:
        context = open_serving_context(request.user, request.workstation, **how)
    except PatronNotFound:
        messages.error(request, NOT_FOUND)
        return redirect("patrons:desk")
    except Refused as refused:
        return render_refusal(request, refused)
    return redirect("patrons:serving", context_id=context.pk)


def _context_or_404(request: HttpRequest, context_id):
    context = active_serving_context(context_id, request.user, request.workstation)
    if context is None:
        raise Http404("no such serving context")
    return context


@staff_required(roles=DESK_ROLES)
def serving(request: HttpRequest, context_id) -> HttpResponse:
    """The account of the patron being served; reading it is audited."""
    return render_serving(request, _context_or_404(request, context_id))


def render_serving(request: HttpRequest, context, extra: dict | None = None, status: int = 200):
    """The serving page: the patron's record and, from circulation, loans, holds and fees."""
    from libdesk.circulation.desk_views import serving_panels

    access = serving_access(context)
    patron = selectors.patron_profile(access)
    panels = serving_panels(access, context)
    if context.guardian_id:
        return render(
            request,
            "patrons/serving_guardian.html",
            {"context": context, "patron": patron, **panels},
            status=status,
        )
    guardians, children = selectors.guardians_and_children(access)
    return render(
        request,
        "patrons/serving.html",
        {
            "context": context,
            "patron": patron,
            "guardians": guardians,
            "children": children,
            "renew_form": RenewForm(),
            "replace_form": ReplaceCardForm(),
            "pin_form": PinResetForm(),
            "guardian_form": LinkGuardianForm(),
            "sign_in_locks": [lock for lock in selectors.sign_in_locks(access) if lock.active],
            **panels,
            **(extra or {}),
        },
        status=status,
    )


def context_or_404(request: HttpRequest, context_id):
    return _context_or_404(request, context_id)


@staff_required(roles=DESK_ROLES)
def edit(request: HttpRequest, context_id) -> HttpResponse:
    context = _context_or_404(request, context_id)
    access = serving_access(context)
    patron = selectors.patron_profile(access)
    initial = {
        f: getattr(patron, f)
        for f in ("name", "category", "email", "phone", "postal_address", "language")
    }
    form = PatronForm(request.POST or None, initial={**initial, "home_branch": patron.home_branch})
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "home_branch": form.cleaned_data["home_branch"].code}
        try:
            services.update_patron(access, **data)
        except PatronError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Record updated."))
            return redirect("patrons:serving", context_id=context.pk)
    return render(request, "patrons/edit.html", {"context": context, "form": form})


@staff_required(roles=DESK_ROLES)
@require_POST
def act(request: HttpRequest, context_id, action: str) -> HttpResponse:
    """One of the account actions on the serving page."""
    context = _context_or_404(request, context_id)
    access = serving_access(context)
    handlers = {
        "renew": (
            RenewForm,
            lambda d: services.renew_card(access, d["card_expires"]),
            _("Card renewed."),
        ),
        "lost": (
            None,
            lambda d: services.report_lost_card(access),
            _("Card reported lost: it no longer works anywhere."),
        ),
        "replace": (
            ReplaceCardForm,
            lambda d: services.replace_card(access, d["card_number"]),
            _("New card issued."),
        ),
        "pin": (
            PinResetForm,
            lambda d: services.reset_pin(access, d["pin"]),
            _("PIN reset: the patron's other sessions have ended."),
        ),
        "unlock": (
            None,
            lambda d: services.lift_sign_in_locks(access),
            _("Sign-in pause lifted."),
        ),
        "guardian": (
            LinkGuardianForm,
            lambda d: services.link_guardian(access, d["guardian_card"]),
            _("Guardian linked."),
        ),
    }
    if action == "end":
        end_serving_context(context)
        messages.success(request, _("Finished serving this patron."))
        return redirect("patrons:desk")
    if action not in handlers:
        raise Http404
    form_class, run, done = handlers[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("patrons:serving", context_id=context.pk)
    try:
        run(form.cleaned_data if form else {})
    except PatronError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("patrons:serving", context_id=context.pk)


@staff_required(roles=DESK_ROLES)
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "home_branch": form.cleaned_data["home_branch"].code}
        try:
            patron = services.register_patron(
                request.user, request.workstation, PatronDetails(**data)
            )
        except PatronError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            context = open_serving_context(
                request.user,
                request.workstation,
                basis=Basis.CARD_PRESENTED,
                card=patron.card_number,
            )
            messages.success(request, _("Patron registered."))
            return redirect("patrons:serving", context_id=context.pk)
    return render(request, "patrons/register.html", {"form": form})
