"""The parent exception online: a guardian signed in to their own account sees each covered
child's current loans, holds and fees, and their reading history if the child chose so.
Each page's reads are recorded as disclosures on the guardian's own sign-in, which the privacy
officer and the child see."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache  # no-store: account pages

from libdesk.circulation import reading_history
from libdesk.circulation import selectors as circulation
from libdesk.privacy import selectors
from libdesk.web.patron_session import signed_in_patron_id


@never_cache
def children(request: HttpRequest) -> HttpResponse:
    """The children this guardian may see now, each linked to its own page by internal id."""
    guardian_id = signed_in_patron_id(request)
    if guardian_id is None:
        return redirect("web:patron-sign-in")
    covered = selectors.covered_children(guardian_id)
    return render(request, "privacy/children.html", {"children": covered})


@never_cache
def child(request: HttpRequest, child_id: int) -> HttpResponse:
    """One child's current loans, holds and fees (and reading history, if the child chose to
    share it); 404 for a child not covered for this
    guardian (not linked, or past the age limit), as for one that does not exist."""
    guardian_id = signed_in_patron_id(request)
    if guardian_id is None:
        return redirect("web:patron-sign-in")
    covered, access = selectors.child_for_guardian(guardian_id, child_id)
    shared = reading_history.shown_to_guardian(covered.id)
    context = {
        "child": covered,
        "loans": list(circulation.current_loans(access)),
        "holds": circulation.current_holds(access),
        "fees": list(circulation.open_fees(access)),
        "history": list(reading_history.history(access)) if shared else None,
    }
    return render(request, "privacy/child.html", context)
