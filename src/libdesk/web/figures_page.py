"""The board's figures as a page and as a CSV file, for every report that has them (comments,
reference questions): the period a form chose, what every figures page shows, and the CSV
answer whose file name says the period. Each app groups its own figures (core/figures.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse

from libdesk.core import clock
from libdesk.core.csv_export import csv_response
from libdesk.core.figures import FigureGroup, csv_table
from libdesk.web.form_errors import errors_by_label


@dataclass(frozen=True)
class Figures:
    """The period form as the reader filled it, the period it chose, and the figures for it."""

    form: forms.Form
    since: date | None
    until: date | None
    groups: list[FigureGroup]


def chosen_period(form: forms.Form) -> tuple[date | None, date | None]:
    """The form's `since` and `until`; none when the form is wrong (its errors then show, and
    the figures cover every day rather than a period nobody chose)."""
    if form.is_bound and form.is_valid():
        return form.cleaned_data["since"], form.cleaned_data["until"]
    return None, None


def page_context(figures: Figures) -> dict:
    """What every figures page shows: the form, the groups, the CSV link for the same period
    and the errors above the form."""
    period = {
        name: value.isoformat()
        for name, value in (("since", figures.since), ("until", figures.until))
        if value
    }
    form = figures.form
    return {
        "form": form,
        "groups": figures.groups,
        "csv_query": urlencode(period),
        "errors": errors_by_label(form) if form.is_bound else [],
    }


def csv_answer(figures: Figures, report: str, page: Callable[[int], HttpResponse]) -> HttpResponse:
    """The figures as "<report>-figures-<since or all>-<until or today>.csv"; a wrong date is
    the page (`page(status)`) with its error, answered 422."""
    if figures.form.is_bound and not figures.form.is_valid():
        return page(422)
    until = figures.until or clock.today()
    since = figures.since.isoformat() if figures.since else "all"
    return csv_response(
        f"{report}-figures-{since}-{until.isoformat()}.csv",
        csv_table(figures.groups, figures.since, until),
    )
