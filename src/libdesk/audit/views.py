"""The privacy officer's view of the whole audit log."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Context, Role, require
from libdesk.accounts.decorators import staff_required
from libdesk.audit import selectors
from libdesk.audit.verification import verify
from libdesk.core.bounds import DATE_VALIDATORS, ID_MAX

PAGE = 100


class AuditSearchForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=60)
    actor_id = forms.CharField(label=_("Actor id"), required=False, max_length=64)
    patron_id = forms.IntegerField(
        label=_("Patron id"), required=False, min_value=1, max_value=ID_MAX
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@staff_required(roles=[Role.PRIVACY_OFFICER])
def search(request: HttpRequest) -> HttpResponse:
    require(request.user.role, "audit_log", "read", Context.NONE)
    form = AuditSearchForm(request.GET or None)
    entries = []
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        entries = list(selectors.search_log(**filters)[:PAGE])
    elif not form.is_bound:
        entries = list(selectors.search_log()[:PAGE])
    verification = verify() if request.GET.get("verify") else None
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "entries": entries,
            "page": PAGE,
            "verification": verification,
        },
    )
