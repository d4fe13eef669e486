"""The patron's own registrations for programs, in their account: cancel one, or decline a
place given from the waitlist."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.purposes import Access
from libdesk.core.decisions import Refused
from libdesk.programs import selectors, services
from libdesk.programs.models import Status
from libdesk.web.decorators import render_refusal
from libdesk.web.patron_session import signed_in_patron_id


@never_cache
def my_registrations(request: HttpRequest) -> HttpResponse:
    patron_id = signed_in_patron_id(request)
    if patron_id is None:
        return redirect("web:patron-sign-in")
    context = {
        "registrations": selectors.registrations_of(Access.own(patron_id)),
        "language": "fr" if get_language().startswith("fr") else "en",
        "statuses": dict(Status.choices),
    }
    response = render(request, "programs/my_registrations.html", context)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
def withdraw(request: HttpRequest, registration_id: int) -> HttpResponse:
    patron_id = signed_in_patron_id(request)
    if patron_id is None:
        return redirect("web:patron-sign-in")
    try:
        ended = services.withdraw_own(patron_id, registration_id)
    except Refused as refused:
        return render_refusal(request, refused)
    if ended.status == Status.DECLINED:
        messages.success(request, _("You declined the place; the next person in line gets it."))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("programs:my-registrations")
