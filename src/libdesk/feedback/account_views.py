"""The patron's own signed comments, with the library's responses."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache  # no-store: account pages

from libdesk.access.purposes import Access
from libdesk.feedback import selectors
from libdesk.web.patron_session import signed_in_patron_id


@never_cache
def my_comments(request: HttpRequest) -> HttpResponse:
    patron_id = signed_in_patron_id(request)
    if patron_id is None:
        return redirect("web:patron-sign-in")
    comments = list(selectors.comments_of(Access.own(patron_id)))
    response = render(request, "feedback/my_comments.html", {"comments": comments})
    response["Cache-Control"] = "no-store"
    return response
