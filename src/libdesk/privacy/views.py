"""The privacy officer's disclosure register: every third-party request with its decisions,
and the form that adds a decision. Nothing here changes an entry: a new decision is added."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from libdesk.access.table import Role
from libdesk.accounts.decorators import staff_required
from libdesk.core.errors import InputError
from libdesk.privacy import disclosures, selectors
from libdesk.privacy.forms import DisclosureDecisionForm


@staff_required(roles=[Role.PRIVACY_OFFICER])
def register(request: HttpRequest) -> HttpResponse:
    rows = selectors.disclosure_register(request.user, request.workstation)
    waiting = [row for row in rows if row.standing is None]
    return render(
        request,
        "privacy/register.html",
        {"rows": rows, "waiting": waiting, "page": selectors.REGISTER_PAGE},
    )


@staff_required(roles=[Role.PRIVACY_OFFICER])
def entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One request, its decisions, and the form that adds the next one."""
    row = selectors.disclosure_request_for(request.user, request.workstation, entry_id)
    initial = {"requester": row.request.requester}
    form = DisclosureDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = disclosures.DecisionDetails(
            requester=data["requester"],
            authority_kind=data["authority_kind"],
            authority_reference=data["authority_reference"],
            scope=data["scope"],
            outcome=data["outcome"],
            patron_card=data["patron_card"],
        )
        try:
            disclosures.record_decision(
                request.user, request.workstation, row.request.pk, details, data["key"]
            )
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The decision is in the register."))
            return redirect("privacy:register-entry", entry_id=row.request.pk)
    status = 422 if form.is_bound else 200
    return render(request, "privacy/register_entry.html", {"row": row, "form": form}, status=status)
