"""The patron's own account on the web: sign in with card and PIN, see and change details."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.audit.selectors import reads_of_patron
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.patrons import selectors, services
from libdesk.patrons.forms import ChangePinForm, ContactForm
from libdesk.patrons.services import PatronError, SignInFailed
from libdesk.privacy.purposes import Access
from libdesk.web.decorators import rate_limited_form, render_refusal
from libdesk.web.forms import PatronSignInForm

PATRON_KEY, SEEN_KEY = "libdesk_patron_id", "libdesk_patron_seen"
STAMP_KEY = "libdesk_patron_stamp"


def signed_in_patron_id(request: HttpRequest) -> int | None:
    """The patron signed in on this browser, unless the session sat idle too long or was
    ended by a lost card or a new PIN (the patron's credential stamp changed)."""
    patron_id, seen = request.session.get(PATRON_KEY), request.session.get(SEEN_KEY)
    if patron_id is None or seen is None:
        return None
    idle = timedelta(minutes=settings.LIBDESK["PATRON_SESSION_IDLE_MINUTES"])
    too_old = clock.now().timestamp() - seen > idle.total_seconds()
    if too_old or not selectors.session_is_current(patron_id, request.session.get(STAMP_KEY)):
        request.session.flush()
        return None
    request.session[SEEN_KEY] = clock.now().timestamp()
    return patron_id


def _hold_session(request: HttpRequest, patron) -> None:
    """Sign this browser in as `patron` under a new session key, with nothing carried over
    (a member of staff signed in on this browser is signed out)."""
    request.session.flush()
    request.session[PATRON_KEY] = patron.pk
    request.session[SEEN_KEY] = clock.now().timestamp()
    request.session[STAMP_KEY] = patron.credential_stamp


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
            _hold_session(request, patron)
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
    if request.method == "POST":
        done = _apply(request, access, contact_form, pin_form)
        if done is not None:
            return done
    access.read("patron.access_log", "access_log")
    from libdesk.circulation.account_views import account_panels

    response = render(
        request,
        "patrons/account.html",
        {
            "patron": patron,
            "contact_form": contact_form,
            "pin_form": pin_form,
            "access_log": reads_of_patron(patron_id)[:50],
            "sign_in_locks": selectors.sign_in_locks(access),
            **account_panels(access),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _apply(request, access, contact_form, pin_form) -> HttpResponse | None:
    try:
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
            _hold_session(request, patron)  # this browser goes on; every other one ends
            messages.success(request, _("Your PIN was changed. You were signed out elsewhere."))
            return redirect("patrons:account")
    except Refused as refused:
        return render_refusal(request, refused)
    except PatronError as error:
        form = pin_form if pin_form.is_bound else contact_form
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return None


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("web:home")
