"""Comments for staff: the queue (new ones oldest first, then those being dealt with), a
comment's page (a signed one names its patron: audited), filing it under a theme, tying it to
a policy clause, responding, closing; and the board's figures. Views fetch, call a service or
selector, render."""

from calendar import monthrange
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from libdesk.access.table import REFERENCE_ROLES, Role
from libdesk.accounts.decorators import staff_required
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError
from libdesk.core.figures import FigureGroup, FigureRow
from libdesk.feedback import selectors, services
from libdesk.feedback.forms import (
    ClauseForm,
    FiguresForm,
    RespondForm,
    ThemeForm,
)
from libdesk.feedback.models import Service, Status, Theme
from libdesk.web.figures_page import Figures, chosen_period, csv_answer, page_context
from libdesk.web.form_errors import add_service_error, errors_by_label

ACTIONS = ("theme", "clause", "respond", "close")
LABELS = {
    "services": dict(Service.choices),
    "themes": dict(Theme.choices),
    "statuses": dict(Status.choices),
}


@staff_required(roles=REFERENCE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """New comments oldest first, then those being dealt with: never who signed one."""
    found = selectors.queue(request.user)
    return render(request, "feedback/queue.html", {"new": found.new, "open": found.open, **LABELS})


def _page(request: HttpRequest, comment_id: int, status: int = 200, **forms) -> HttpResponse:
    opened = selectors.comment_for(request.user, request.workstation, comment_id)
    comment = opened.comment
    acting = comment.status != Status.CLOSED and not comment.anonymised
    clause = comment.clause.clause_id if comment.clause else ""
    context = {
        "comment": comment,
        "signer_name": opened.signer_name,
        "acting": acting,
        "theme_form": forms.get("theme_form") or ThemeForm(initial={"theme": comment.theme}),
        "clause_form": forms.get("clause_form")
        or ClauseForm(clauses=selectors.clause_choices(), initial={"clause": clause}),
        "respond_form": forms.get("respond_form")
        or RespondForm(initial={"language": comment.language}),
        "errors": forms.get("errors", []),
        **LABELS,
    }
    return render(request, "feedback/comment_staff.html", context, status=status)


@staff_required(roles=REFERENCE_ROLES)
@require_GET
def comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _page(request, comment_id)


def _form_for(request: HttpRequest, action: str):
    if action == "theme":
        return ThemeForm(request.POST)
    if action == "clause":
        return ClauseForm(request.POST, clauses=selectors.clause_choices())
    if action == "respond":
        return RespondForm(request.POST)
    return None  # closing takes nothing


def _apply(request: HttpRequest, comment_id: int, action: str, data: dict) -> str:
    """Call the action's service; answers what to tell the member of staff."""
    user, station = request.user, request.workstation
    if action == "theme":
        services.set_theme(user, station, comment_id, data["theme"])
        return _("Theme saved.")
    if action == "clause":
        services.tie_to_clause(user, station, comment_id, data["clause"])
        return _("Policy clause saved.")
    if action == "respond":
        services.respond(user, station, comment_id, data["text"], language=data["language"])
        return _("Response sent.")
    services.close(user, station, comment_id)
    return _("Comment closed.")


@staff_required(roles=REFERENCE_ROLES)
@require_POST
def act(request: HttpRequest, comment_id: int, action: str) -> HttpResponse:
    """File under a theme, tie to a clause, respond or close: each the service's, a closed
    comment refused with its reason."""
    if action not in ACTIONS:
        raise Http404
    form = _form_for(request, action)
    name = f"{action}_form"
    if form is not None and not form.is_valid():
        return _page(request, comment_id, 422, **{name: form}, errors=errors_by_label(form))
    try:
        done = _apply(request, comment_id, action, form.cleaned_data if form else {})
    except Refused as refused:
        messages.error(request, refused.decision.staff_reason)
        return redirect("feedback:comment-staff", comment_id=comment_id)
    except InputError as error:
        add_service_error(form, error)
        return _page(request, comment_id, 422, **{name: form}, errors=errors_by_label(form))
    messages.success(request, done)
    if action == "close":
        return redirect("feedback:queue")
    return redirect("feedback:comment-staff", comment_id=comment_id)


def _figures(request: HttpRequest) -> Figures:
    """The chosen period and the board's figures for it, grouped and in words."""
    form = FiguresForm(request.GET or None)
    since, until = chosen_period(form)
    found = selectors.figures(request.user, since, until)
    themes = {**dict(Theme.choices), "unfiled": _("Not filed yet")}
    comments = [_("Comments")]
    ratings, answered = found["ratings"], found["to_first_response"]
    groups = [
        FigureGroup(
            _("Comments received, rated and answered"),
            _("Measure"),
            comments,
            [
                FigureRow(pgettext("comments", "Received"), [found["comments"]]),
                FigureRow(pgettext("comments", "Rated"), [ratings["count"]]),
                FigureRow(pgettext("comments", "Answered"), [answered["count"]]),
            ],
        ),
        FigureGroup(
            _("Comments per month"),
            _("Month"),
            comments,
            [_month(month, n, since, until) for month, n in found["by_month"].items()],
        ),
        FigureGroup(
            _("Comments per kind of service"),
            _("About"),
            comments,
            [FigureRow(str(Service(s).label), [n]) for s, n in found["by_service"].items()],
        ),
        FigureGroup(
            _("Comments per theme"),
            _("Theme"),
            comments,
            [FigureRow(str(themes[t]), [n]) for t, n in found["by_theme"].items()],
        ),
        FigureGroup(
            _("Comments per rating, from 1 to 5"),
            _("Rating"),
            comments,
            [FigureRow(rating, [n]) for rating, n in ratings["distribution"].items()],
            notes=[(_("Average rating, out of 5"), ratings["average"])],
        ),
        FigureGroup(
            _("Time to the library's first response, in hours"),
            _("Time to"),
            [_("Comments answered"), _("Median"), _("90th percentile")],
            [
                FigureRow(
                    _("First response"),
                    [answered["count"], answered["median_hours"], answered["p90_hours"]],
                )
            ],
            charted=(1, 2),
        ),
    ]
    return Figures(form, since, until, groups)


def _month(month: str, count: int, since: date | None, until: date | None) -> FigureRow:
    """A "2026-03" count as "March 2026" (in the reader's language), covering that month's
    days within the period."""
    first = date.fromisoformat(f"{month}-01")
    last = date(first.year, first.month, monthrange(first.year, first.month)[1])
    return FigureRow(
        date_format(first, "YEAR_MONTH_FORMAT"),
        [count],
        start=max(first, since) if since else first,
        end=min(last, until) if until else last,
    )


def _render_figures(request: HttpRequest, figures: Figures, status: int = 200) -> HttpResponse:
    context = {**page_context(figures), "comments": figures.groups[0].rows[0].values[0]}
    return render(request, "feedback/figures.html", context, status=status)


@staff_required(roles=[Role.HEAD_LIBRARIAN])
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The board's figures: volume by month, service and theme, ratings, response times, each
    as a chart and a table; nobody is named."""
    return _render_figures(request, _figures(request))


@staff_required(roles=[Role.HEAD_LIBRARIAN])
@require_GET
def figures_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV, for a spreadsheet; a wrong date is the page with its error."""
    found = _figures(request)
    return csv_answer(found, "comment", lambda status: _render_figures(request, found, status))
