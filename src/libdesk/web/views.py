"""Public and staff pages of the web shell. Views fetch, call a service or selector, render."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET

from libdesk.library import selectors as library_selectors
from libdesk.policies import selectors as policy_selectors
from libdesk.web.decorators import rate_limited_form
from libdesk.web.forms import PatronSignInForm


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
def ask_why(request: HttpRequest) -> HttpResponse:
    """Explain why a clause exists, and how to take the question to the Head Librarian."""
    clause_id = request.GET.get("clause", "")
    if not clause_id:
        return redirect("policies:list")
    clause = policy_selectors.clause_in_force(clause_id)
    if clause is None:
        raise Http404("no such clause")
    return render(request, "web/ask_why.html", {"clause": clause, "text": clause.in_language()})


@rate_limited_form("patron-sign-in")
def patron_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign-in shell: the form is here; patron accounts arrive with the people module."""
    form = PatronSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.add_error(None, form.accounts_not_open_message)
    return render(request, "web/patron_sign_in.html", {"form": form})


@method_decorator(rate_limited_form("staff-sign-in"), name="dispatch")
class StaffSignInView(auth_views.LoginView):
    template_name = "web/staff_sign_in.html"
    redirect_authenticated_user = True


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    within = settings.LIBDESK["POLICY_REVIEW_WARNING_DAYS"]
    return render(
        request,
        "web/staff_home.html",
        {"reviews_due": policy_selectors.reviews_due(within), "within": within},
    )
