"""Administrators register workstations here (reference data). Staff accounts are managed
on the staff client's own page, and no patron-linked model is ever shown in this admin."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from libdesk.accounts.models import Workstation


def sign_in_through_the_staff_client(request, extra_context=None):
    """The admin site has no sign-in form of its own: staff sign in on the one staff sign-in
    page (lockout, rate limit, audit, second factor), then come back."""
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url="web:staff-sign-in"
    )


def change_password_through_the_staff_client(request, extra_context=None):
    """Likewise one password page: it counts a wrong current password towards the lock and
    ends the person's other sessions and API tokens."""
    return redirect("accounts:password")


admin.site.login = sign_in_through_the_staff_client
admin.site.password_change = change_password_through_the_staff_client


@admin.register(Workstation)
class WorkstationAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "active"]
    list_filter = ["branch", "active"]
