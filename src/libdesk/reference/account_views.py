"""The patron's own questions to a librarian: only those they linked to their account."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache  # no-store: account pages

from libdesk.access.purposes import Access
from libdesk.reference import selectors
from libdesk.web.patron_session import signed_in_patron_id


@never_cache
def my_questions(request: HttpRequest) -> HttpResponse:
    patron_id = signed_in_patron_id(request)
    if patron_id is None:
        return redirect("web:patron-sign-in")
    questions = list(selectors.questions_of(Access.own(patron_id)))
    response = render(request, "reference/my_questions.html", {"questions": questions})
    response["Cache-Control"] = "no-store"
    return response
