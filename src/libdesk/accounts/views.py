"""Staff sign-in (password, then the second factor where there is one), the staff member's own
password and authenticator, and the administrators' staff page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.table import STAFF_ROLE_CHOICES, Role
from libdesk.accounts import second_factor, selectors, services
from libdesk.accounts.decorators import WORKSTATION_KEY, staff_required
from libdesk.accounts.forms import (
    AddStaffForm,
    ChangePasswordForm,
    CodeForm,
    ResetPasswordForm,
    RoleForm,
    StaffSignInForm,
)
from libdesk.accounts.models import StaffUser, Workstation
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.library.selectors import the_library
from libdesk.web.decorators import rate_limited_form, render_refusal

WORKSTATION_COOKIE = "libdesk_workstation"
PENDING_KEY = "libdesk_pending_sign_in"
PENDING_SECONDS = 300  # from the password to the code
BACKEND = "libdesk.accounts.backends.StaffBackend"
NOT_RECOGNISED = _("Username or password not recognised.")


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or "/staff/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return "/staff/"
    return next_url


@rate_limited_form("staff-sign-in")
def sign_in(request: HttpRequest) -> HttpResponse:
    """The one staff sign-in page (the admin site sends people here too)."""
    remembered = request.COOKIES.get(WORKSTATION_COOKIE, "")
    form = StaffSignInForm(request.POST or None, initial={"workstation": remembered})
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.check_password(data["username"], data["password"])
        except Refused as refused:
            return render_refusal(request, refused)
        except services.StaffSignInFailed:
            form.add_error(None, NOT_RECOGNISED)
        else:
            return _after_password(request, user, data["workstation"], next_url)
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


def _after_password(request, user: StaffUser, workstation: Workstation, next_url: str):
    """Straight in, or on to the code (or to setting up an authenticator, for the roles that
    must have one) with the sign-in held in the session for a few minutes."""
    if not second_factor.confirmed(user) and not user.needs_second_factor:
        return _finish(request, user, workstation, next_url)
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "workstation": workstation.pk,
        "stamp": user.credential_stamp,
        "at": clock.now().timestamp(),
        "next": next_url,
    }
    if second_factor.confirmed(user):
        return redirect("accounts:sign-in-code")
    return redirect("accounts:second-factor")


def _pending(request: HttpRequest) -> tuple[StaffUser, Workstation, str] | None:
    held = request.session.get(PENDING_KEY)
    if not isinstance(held, dict) or clock.now().timestamp() - held["at"] > PENDING_SECONDS:
        return None
    user = StaffUser.objects.filter(pk=held["user"], is_active=True).first()
    workstation = Workstation.objects.filter(pk=held["workstation"], active=True).first()
    if user is None or workstation is None or user.credential_stamp != held["stamp"]:
        return None
    return user, workstation, held["next"]


def _log_in(request, user: StaffUser, workstation: Workstation) -> None:
    """A new session for the member of staff: nothing carries over from before, such as a
    patron signed in on this browser (whose account staff would then read unaudited)."""
    request.session.flush()
    login(request, user, backend=BACKEND)
    request.session[WORKSTATION_KEY] = workstation.pk
    services.signed_in(user, workstation)


def _remember_workstation(response: HttpResponse, request, workstation) -> HttpResponse:
    response.set_cookie(
        WORKSTATION_COOKIE,
        workstation.name,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


def _finish(request, user: StaffUser, workstation: Workstation, next_url: str) -> HttpResponse:
    _log_in(request, user, workstation)
    return _remember_workstation(redirect(next_url), request, workstation)


@rate_limited_form("staff-sign-in")
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: the authenticator's code or a recovery code."""
    pending = _pending(request)
    if pending is None:
        return redirect("web:staff-sign-in")
    user, workstation, next_url = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_code(user, form.cleaned_data["code"])
        except Refused as refused:
            return render_refusal(request, refused)
        except services.StaffSignInFailed:
            form.add_error("code", _("That code does not match. Try the one shown now."))
        else:
            return _finish(request, user, workstation, next_url)
    return render(request, "accounts/sign_in_code.html", {"form": form})


def _enrolling(request: HttpRequest):
    """Who is setting up an authenticator: a signed-in member of staff, or one whose role
    needs it and who is part-way through signing in."""
    if request.user.is_authenticated and request.session.get(WORKSTATION_KEY):
        workstation = Workstation.objects.filter(pk=request.session[WORKSTATION_KEY]).first()
        return request.user, workstation, None
    pending = _pending(request)
    if pending and pending[0].needs_second_factor and not second_factor.confirmed(pending[0]):
        return pending
    return None


@never_cache
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """Set up, replace the recovery codes of, or remove an authenticator."""
    enrolling = _enrolling(request)
    if enrolling is None:
        return redirect("web:staff-sign-in")
    user, workstation, next_url = enrolling
    form = CodeForm(request.POST or None)
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "start":
            second_factor.start(user)
            return redirect("accounts:second-factor")
        if action == "confirm" and form.is_valid():
            codes = second_factor.confirm(user, workstation, form.cleaned_data["code"])
            return _recovery_codes(request, user, workstation, next_url, codes)
        # New recovery codes or none at all only with a current code: a session left open
        # must not be enough to get around the second factor for good.
        if action == "codes" and form.is_valid():
            services.check_code(user, form.cleaned_data["code"])
            codes = second_factor.new_recovery_codes(user, workstation)
            return _recovery_codes(request, user, workstation, None, codes)
        if action == "remove" and form.is_valid():
            services.check_code(user, form.cleaned_data["code"])
            second_factor.remove(user, workstation)
            messages.success(request, _("Your authenticator was removed."))
            return redirect("accounts:second-factor")
    except Refused as refused:
        return render_refusal(request, refused)
    except services.StaffSignInFailed:
        form.add_error("code", _("That code does not match. Try the one shown now."))
    except second_factor.SecondFactorError as error:
        form.add_error("code", error.message)
    return _second_factor_page(request, user, form, pending=next_url is not None)


def _second_factor_page(request, user: StaffUser, form: CodeForm, pending: bool) -> HttpResponse:
    factor = second_factor.pending(user)
    library = the_library()
    response = render(
        request,
        "accounts/second_factor.html",
        {
            "person": user,
            "form": form,
            "confirmed": second_factor.confirmed(user),
            "factor": factor,
            "qr": _qr(second_factor.provisioning_uri(factor, library.name if library else ""))
            if factor
            else "",
            "unused_codes": second_factor.unused_recovery_codes(user),
            "signing_in": pending,
        },
        status=422 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def _qr(uri: str) -> str:
    """The otpauth address as a QR code image (a data: URI the strict CSP allows)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def _recovery_codes(request, user, workstation, next_url: str | None, codes: list[str]):
    """Shown once. When this finished a held sign-in, the person is now signed in."""
    if next_url is not None:
        _log_in(request, user, workstation)
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "continue_to": next_url or "/staff/second-factor/"},
    )
    response["Cache-Control"] = "no-store"
    if next_url is not None:
        _remember_workstation(response, request, workstation)
    return response


@staff_required()
def change_password(request: HttpRequest) -> HttpResponse:
    """A member of staff changes their own password; their other sessions and tokens end,
    this one goes on under a new key."""
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.change_own_password(
                request.user, request.workstation, data["current_password"], data["new_password"]
            )
        except Refused as refused:
            return render_refusal(request, refused)
        except services.StaffError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed; other sessions have ended."))
            return redirect("web:staff-home")
    return render(
        request, "accounts/password.html", {"form": form}, status=422 if form.errors else 200
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:staff-sign-in")


@staff_required(roles=[Role.ADMINISTRATOR])
def people(request: HttpRequest) -> HttpResponse:
    form = AddStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_staff(request.user, request.workstation, **form.cleaned_data)
        except services.StaffError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Staff account added."))
            return redirect("accounts:people")
    return render(
        request,
        "accounts/people.html",
        {
            "form": form,
            "staff": selectors.staff_with_locks(),
            "roles": STAFF_ROLE_CHOICES,
            "reset_form": ResetPasswordForm(),
        },
    )


@staff_required(roles=[Role.ADMINISTRATOR])
@require_POST
def change_person(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.staff_member(user_id)
    if person is None:
        raise Http404
    action = request.POST.get("action")
    try:
        done = _change_person(request, person, action)
    except services.StaffError as error:
        messages.error(request, error.message)
    else:
        if person.pk == request.user.pk:  # their own account: this session goes on
            update_session_auth_hash(request, person)
        messages.success(request, done)
    return redirect("accounts:people")


def _change_person(request: HttpRequest, person: StaffUser, action: str | None) -> str:
    admin, workstation = request.user, request.workstation
    if action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise services.StaffError("role", _("Choose a role."))
        services.change_role(admin, workstation, person, form.cleaned_data["role"])
        return _("Role changed; their sessions and tokens have ended.")
    if action in {"disable", "enable"}:
        services.set_active(admin, workstation, person, action == "enable")
        if action == "disable":
            return _("Account disabled: its sessions and tokens have ended.")
        return _("Account enabled; the person signs in again.")
    if action == "reset-password":
        form = ResetPasswordForm(request.POST)
        if not form.is_valid():
            raise services.StaffError("password", " ".join(form.errors["password"]))
        services.reset_password(admin, workstation, person, form.cleaned_data["password"])
        return _("Password reset; their sessions and tokens have ended.")
    if action == "unlock":
        services.lift_sign_in_lock(admin, workstation, person)
        return _("Sign-in lock lifted.")
    raise Http404
