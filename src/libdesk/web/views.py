"""Public and staff pages of the web shell. Views fetch, call a service or selector, render."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from libdesk.access.table import DESK_ROLES, Role
from libdesk.accounts.decorators import staff_required
from libdesk.core import retention as retention_periods
from libdesk.core.bounds import CODE_MAX
from libdesk.feedback import selectors as feedback_selectors
from libdesk.library import selectors as library_selectors
from libdesk.library.mail import sends_mail
from libdesk.policies import questions
from libdesk.policies import selectors as policy_selectors
from libdesk.policies.forms import AskWhyForm


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "branches": library_selectors.branches_with_hours(),
            "policies": policy_selectors.policies_in_force().order_by("number"),
        },
    )


@require_GET
def branches(request: HttpRequest) -> HttpResponse:
    rows = [
        (branch, library_selectors.open_status(branch))
        for branch in library_selectors.branches_with_hours()
    ]
    return render(
        request,
        "web/branches.html",
        {"rows": rows, "closures": library_selectors.upcoming_closures()},
    )


@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """Every retention period, as configured now: anyone may check how long anything is kept."""
    return render(request, "web/retention.html", {"periods": retention_periods.periods()})


@require_GET
def ask_why(request: HttpRequest) -> HttpResponse:
    """Explain why a clause exists, and how to take the question to the Head Librarian."""
    clause_id = request.GET.get("clause", "")
    if not clause_id:
        return redirect("policies:list")
    if len(clause_id) > CODE_MAX * 3:  # "<policy number>/<clause slug>"
        raise Http404("no such clause")
    clause = policy_selectors.clause_in_force(clause_id)
    if clause is None:
        raise Http404("no such clause")
    # The question box is there from the first view, not only after a refused submission.
    form = AskWhyForm(initial={"clause": clause.clause_id})
    return render(
        request,
        "web/ask_why.html",
        {"clause": clause, "text": clause.in_language(), "form": form},
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links to: send them to the SVG icon."""
    return redirect(static("libdesk/favicon.svg"), permanent=True)


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    within = settings.LIBDESK["POLICY_REVIEW_WARNING_DAYS"]
    role = request.user.role
    asked = []
    if role in (Role.HEAD_LIBRARIAN, Role.LIBRARIAN):
        asked = questions.queue(request.user, request.workstation).filter(status="open")
    reviews_due = policy_selectors.reviews_due(within)
    # The comments tied to each due policy's clauses, for the roles that read comments.
    tied = feedback_selectors.comments_by_policy([d.number for d in reviews_due], request.user)
    return render(
        request,
        "web/staff_home.html",
        {
            "reviews_due": [(item, tied.get(item.number)) for item in reviews_due],
            "within": within,
            "questions": asked,
            "desk_role": role in DESK_ROLES,
            "is_admin": role == Role.ADMINISTRATOR,
            "is_privacy_officer": role == Role.PRIVACY_OFFICER,
            "no_mail": not sends_mail(),
        },
    )
