"""The staff desk: find a patron, open their account in a serving context, act on it."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from libdesk.access.table import DESK_ROLES
from libdesk.accounts.decorators import staff_required
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError
from libdesk.patrons import notes, selectors, services
from libdesk.patrons.forms import (
    FindByNameForm,
    IdentityCheckForm,
    LiftCardBlockForm,
    LinkGuardianForm,
    PatronForm,
    PinResetForm,
    RegisterForm,
    RenewForm,
    ReplaceCardForm,
    ScanCardForm,
)
from libdesk.patrons.services import PatronDetails, PatronError
from libdesk.patrons.serving_page import context_or_404, render_serving
from libdesk.privacy.forms import FoundChildGuardianForm, GuardianForm
from libdesk.privacy.models import Basis
from libdesk.privacy.services import (
    PatronNotFound,
    end_serving_context,
    open_serving_context,
    serving_access,
)

NOT_FOUND = gettext_lazy("No patron has this card.")


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
                (
                    p,
                    IdentityCheckForm(initial={"patron_id": p.pk}, prefix=f"p{p.pk}"),
                    _found_child_form(p),
                )
                for p in results
            ],
            "guardian_form": GuardianForm(),
        },
    )


def _found_child_form(patron) -> FoundChildGuardianForm | None:
    """For a child found by name, the form a parent or guardian without the child's card is
    served with (their own ID, or a refusal that tells them why)."""
    if patron.minor_until is None:
        return None
    return FoundChildGuardianForm(initial={"child_id": patron.pk}, prefix=f"g{patron.pk}")


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
    """A parent or guardian asks about a child: the guardian exception's checks decide (the
    privacy service), and a refusal is shown with its clause, to read to them."""
    prefix = request.POST.get("prefix", "")
    form_class = FoundChildGuardianForm if prefix else GuardianForm
    form = form_class(request.POST, prefix=prefix or None)
    if not form.is_valid():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, _("Say what the parent or guardian presented.") + " " + errors)
        return redirect("patrons:desk")
    data = form.cleaned_data
    return _open(
        request,
        basis=data["basis"],
        card=data.get("child_card") or "",
        patron_id=data["child_id"],
        guardian_card=data["guardian_card"],
    )


def _open(request: HttpRequest, **how) -> HttpResponse:
    try:
        context = open_serving_context(request.user, request.workstation, **how)
    except PatronNotFound:
        messages.error(request, NOT_FOUND)
        return redirect("patrons:desk")
    except InputError as error:
        messages.error(request, error.message)
        return redirect("patrons:desk")
    except Refused as refused:
        return _refused_at_desk(request, refused)
    return redirect("patrons:serving", context_id=context.pk)


def _refused_at_desk(request: HttpRequest, refused: Refused) -> HttpResponse:
    """A refusal to open an account: what to tell the person at the desk, with its clause,
    and for staff which check failed."""
    return render(
        request, "patrons/desk_refused.html", {"decision": refused.decision}, status=refused.status
    )


@staff_required(roles=DESK_ROLES)
def serving(request: HttpRequest, context_id) -> HttpResponse:
    """The account of the patron being served; reading it is audited."""
    return render_serving(request, context_or_404(request, context_id))


@staff_required(roles=DESK_ROLES)
def edit(request: HttpRequest, context_id) -> HttpResponse:
    context = context_or_404(request, context_id)
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
    context = context_or_404(request, context_id)
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
        "unblock": (
            LiftCardBlockForm,
            lambda d: services.lift_card_blocks(access, f"staff {request.user.pk}"),
            _("Block lifted: the card can be used to borrow again."),
        ),
    }
    if action == "lost" and request.POST.get("confirm") != "1":
        return _confirm_lost(request, context)
    if action in ("note", "clear-note"):
        return _note(request, context, access, action)
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


def _confirm_lost(request: HttpRequest, context) -> HttpResponse:
    """Reporting a card lost stops it everywhere and signs the patron out of every session:
    a page asks first (a second POST with confirm=1 does it), with or without JavaScript."""
    return render(
        request,
        "web/confirm.html",
        {
            "title": _("Report this card lost?"),
            "question": _(
                "Report the card ending %(last4)s lost? It stops working at once at the desk, "
                "online and at the kiosks, and the patron is signed out everywhere, until a "
                "new card is issued."
            )
            % {"last4": context.patron.card_last4},
            "action": request.path,
            "fields": {},
            "yes": _("Yes, report the card lost"),
            "back": reverse("patrons:serving", args=[context.pk]),
        },
    )


def _note(request: HttpRequest, context, access, action: str) -> HttpResponse:
    """Leave a note for the next visit, or clear one."""
    try:
        if action == "note":
            notes.add_note(access, request.POST.get("text", ""))
            messages.success(
                request, _("Note added: staff will see it when the patron is next served.")
            )
        else:
            notes.clear_note(access, request.POST.get("note_id"))
            messages.success(request, _("Note cleared."))
    except notes.NoteError as error:
        messages.error(request, error.message)
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
