"""The patron's own account on the web: sign in with card and PIN, see and change details."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.purposes import Access
from libdesk.audit.selectors import reads_of_patron
from libdesk.circulation.panels import account_panels
from libdesk.core.decisions import Refused
from libdesk.patrons import selectors, services
from libdesk.patrons.forms import ChangePinForm, ContactForm, NoticePreferencesForm
from libdesk.patrons.services import PatronError, SignInFailed
from libdesk.web.decorators import rate_limited_form, render_refusal
from libdesk.web.forms import PatronSignInForm
from libdesk.web.patron_session import hold_session, signed_in_patron_id


@rate_limited_form("patron-sign-in")
def sign_in(request: HttpRequest) -> HttpResponse:
    form = PatronSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patron = services.authenticate_patron(
                form.cleaned_data["card"], form.cleaned_data["pin"]
            )
        except Refused as refused:
            return render_refusal(request, refused)
        except SignInFailed:
            form.add_error(None, _("Card number or PIN not recognised."))
        else:
            hold_session(request, patron)
            response = redirect("patrons:account")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                patron.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
            return response
    return render(request, "web/patron_sign_in.html", {"form": form})


@never_cache
def account(request: HttpRequest) -> HttpResponse:
    patron_id = signed_in_patron_id(request)
    if patron_id is None:
        return redirect("web:patron-sign-in")
    access = Access.own(patron_id)
    patron = selectors.patron_profile(access)
    contact_form = ContactForm(
        request.POST if request.POST.get("form") == "contact" else None,
        initial={
            "email": patron.email,
            "phone": patron.phone,
            "postal_address": patron.postal_address,
            "language": patron.language,
        },
    )
    pin_form = ChangePinForm(request.POST if request.POST.get("form") == "pin" else None)
    notices_form = NoticePreferencesForm(
        request.POST if request.POST.get("form") == "notices" else None,
        patron=patron,
        initial={
            "hold_ready": patron.notices_hold_ready,
            "overdue": patron.notices_overdue,
            "events": patron.notices_events,
        },
    )
    if request.method == "POST":
        done = _apply(request, access, contact_form, pin_form, notices_form)
        if done is not None:
            return done
    access.read("patron.access_log", "access_log")
    response = render(
        request,
        "patrons/account.html",
        {
            "patron": patron,
            "contact_form": contact_form,
            "pin_form": pin_form,
            "notices_form": notices_form,
            "access_log": reads_of_patron(patron_id)[:50],
            "sign_in_locks": selectors.sign_in_locks(access),
            **account_panels(access),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _apply(request, access, contact_form, pin_form, notices_form) -> HttpResponse | None:
    try:
        if notices_form.is_bound and notices_form.is_valid():
            services.change_notice_preferences(access, notices_form.cleaned_data)
            messages.success(request, _("Your notice choices were saved."))
            return redirect("patrons:account")
        if contact_form.is_bound and contact_form.is_valid():
            patron = services.change_contact(access, **contact_form.cleaned_data)
            messages.success(request, _("Your details were saved."))
            response = redirect("patrons:account")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                patron.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
            translation.activate(patron.language)
            return response
        if pin_form.is_bound and pin_form.is_valid():
            patron = services.change_own_pin(
                access, pin_form.cleaned_data["current_pin"], pin_form.cleaned_data["new_pin"]
            )
            hold_session(request, patron)  # this browser goes on; every other one ends
            messages.success(request, _("Your PIN was changed. You were signed out elsewhere."))
            return redirect("patrons:account")
    except Refused as refused:
        return render_refusal(request, refused)
    except PatronError as error:
        form = next(f for f in (pin_form, notices_form, contact_form) if f.is_bound)
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return None


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("web:home")
