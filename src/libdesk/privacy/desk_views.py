"""The desk: someone asks about another person. The request is recorded for the privacy
officer, and the desk shows the refusal to give them, with its clauses and a reference."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from libdesk.access.table import DESK_ROLES, Role
from libdesk.accounts.decorators import staff_required
from libdesk.core.errors import InputError
from libdesk.privacy import disclosures
from libdesk.privacy.forms import ThirdPartyRequestForm


@staff_required(roles=[*DESK_ROLES, Role.PRIVACY_OFFICER])
def record_request(request: HttpRequest) -> HttpResponse:
    """Record the request; answer with the refusal (a page to read or show the requester)."""
    form = ThirdPartyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = disclosures.RequestDetails(
            requester_kind=data["requester_kind"],
            requester=data["requester"],
            concerns=data["concerns"],
            asked=data["asked"],
            patron_card=data["patron_card"],
        )
        try:
            recorded = disclosures.record_request(
                request.user, request.workstation, details, data["key"]
            )
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return render(
                request,
                "privacy/request_recorded.html",
                {"reference": recorded.reference, "decision": recorded.decision},
            )
    status = 422 if form.is_bound else 200
    return render(request, "privacy/request_form.html", {"form": form}, status=status)
