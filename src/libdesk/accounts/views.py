"""Staff sign-in (with the workstation) and the administrators' staff page."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libdesk.accounts import services
from libdesk.accounts.decorators import WORKSTATION_KEY, staff_required
from libdesk.accounts.forms import AddStaffForm, RoleForm, StaffSignInForm
from libdesk.accounts.models import Role, StaffUser
from libdesk.core.decisions import Refused
from libdesk.web.decorators import rate_limited_form, render_refusal

WORKSTATION_COOKIE = "libdesk_workstation"


@rate_limited_form("staff-sign-in")
def sign_in(request: HttpRequest) -> HttpResponse:
    remembered = request.COOKIES.get(WORKSTATION_COOKIE, "")
    form = StaffSignInForm(request.POST or None, initial={"workstation": remembered})
    next_url = request.POST.get("next") or request.GET.get("next") or "/staff/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/staff/"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.authenticate_staff(
                data["username"], data["password"], data["workstation"]
            )
        except Refused as refused:
            return render_refusal(request, refused)
        except services.StaffSignInFailed:
            form.add_error(None, _("Username or password not recognised."))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[WORKSTATION_KEY] = data["workstation"].pk
            response = redirect(next_url)
            response.set_cookie(
                WORKSTATION_COOKIE,
                data["workstation"].name,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure(),
            )
            return response
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:staff-sign-in")


@staff_required(roles=[Role.ADMINISTRATOR])
def people(request: HttpRequest) -> HttpResponse:
    form = AddStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_staff(request.user, request.workstation, **form.cleaned_data)
        messages.success(request, _("Staff account added."))
        return redirect("accounts:people")
    return render(
        request,
        "accounts/people.html",
        {
            "form": form,
            "staff": StaffUser.objects.order_by("username"),
            "roles": Role.choices,
        },
    )


@staff_required(roles=[Role.ADMINISTRATOR])
@require_POST
def change_person(request: HttpRequest, user_id: int) -> HttpResponse:
    person = StaffUser.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    action = request.POST.get("action")
    if action == "role":
        form = RoleForm(request.POST)
        if form.is_valid():
            services.change_role(
                request.user, request.workstation, person, form.cleaned_data["role"]
            )
            messages.success(request, _("Role changed."))
    elif action in {"disable", "enable"}:
        try:
            services.set_active(request.user, request.workstation, person, action == "enable")
        except ValueError:
            messages.error(request, _("You cannot disable your own account."))
        else:
            messages.success(
                request,
                _("Account disabled: its sessions and tokens have ended.")
                if action == "disable"
                else _("Account enabled."),
            )
    return redirect("accounts:people")
