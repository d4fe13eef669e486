"""The staff client's calendar: opening hours and closed days, which due dates follow."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from libdesk.access.table import Role
from libdesk.accounts.decorators import staff_required
from libdesk.core.bounds import DATE_MAX, DATE_MIN
from libdesk.library import services
from libdesk.library.models import Branch, ClosedDay, OpeningHours, Weekday
from libdesk.library.selectors import branches_with_hours, upcoming_closures

EDITORS = [Role.HEAD_LIBRARIAN, Role.ADMINISTRATOR]
READERS = [Role.CLERK, Role.LIBRARIAN, *EDITORS]


class ClosedDayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)],
    )
    name = forms.CharField(label=gettext_lazy("Reason (a holiday's name)"), max_length=100)
    name_fr = forms.CharField(
        label=gettext_lazy("The same in French (if it differs)"), max_length=100, required=False
    )
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=Branch.objects.all(),
        required=False,
        empty_label=gettext_lazy("Every branch"),
        to_field_name="code",
    )


class HoursForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"), queryset=Branch.objects.all(), to_field_name="code"
    )
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), choices=Weekday.choices, coerce=int)
    opens = forms.TimeField(
        label=gettext_lazy("Opens"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes = forms.TimeField(
        label=gettext_lazy("Closes"), widget=forms.TimeInput(attrs={"type": "time"})
    )


@staff_required(roles=READERS)
def calendar(request: HttpRequest) -> HttpResponse:
    closed_form = ClosedDayForm(
        request.POST if request.POST.get("form") == "closed" else None, prefix="closed"
    )
    hours_form = HoursForm(
        request.POST if request.POST.get("form") == "hours" else None, prefix="hours"
    )
    can_edit = request.user.role in EDITORS
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    if request.method == "POST":
        done = _apply(request, closed_form, hours_form)
        if done:
            return redirect("library:calendar")
    return render(
        request,
        "library/calendar.html",
        {
            "branches": branches_with_hours(),
            "closures": upcoming_closures(days=400),
            "closed_form": closed_form,
            "hours_form": hours_form,
            "can_edit": can_edit,
        },
        status=422 if request.method == "POST" else 200,
    )


def _apply(request, closed_form, hours_form) -> bool:
    try:
        if closed_form.is_bound and closed_form.is_valid():
            data = closed_form.cleaned_data
            services.add_closed_day(
                request.user,
                request.workstation,
                branch=data["branch"],
                day=data["date"],
                name=data["name"],
                name_fr=data["name_fr"],
            )
            messages.success(request, _("Closed day added; due dates now skip it."))
            return True
        if hours_form.is_bound and hours_form.is_valid():
            services.add_hours(request.user, request.workstation, **hours_form.cleaned_data)
            messages.success(request, _("Opening hours added."))
            return True
    except services.CalendarError as error:
        form = closed_form if closed_form.is_bound else hours_form
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return False


@staff_required(roles=EDITORS)
@require_POST
def remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "closed":
        services.remove_closed_day(
            request.user, request.workstation, get_object_or_404(ClosedDay, pk=pk)
        )
    else:
        services.remove_hours(
            request.user, request.workstation, get_object_or_404(OpeningHours, pk=pk)
        )
    messages.success(request, _("Removed."))
    return redirect("library:calendar")
