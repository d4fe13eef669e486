"""Ask a librarian on the web: anyone asks (a signed-in patron may link the question to their
account), and comes back with the private link for the answer. Views fetch, call a service or
selector, render."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from libdesk.core.errors import InputError
from libdesk.reference import selectors, services
from libdesk.reference.forms import AskForm
from libdesk.web.decorators import rate_limited_form
from libdesk.web.form_errors import add_service_error, errors_by_label
from libdesk.web.patron_session import signed_in_patron_id


@rate_limited_form("ask-librarian")
def ask(request: HttpRequest) -> HttpResponse:
    """The form (GET), and asking (POST, counted against the address's limit)."""
    patron_id = signed_in_patron_id(request)
    language = "fr" if get_language().startswith("fr") else "en"
    form = AskForm(
        request.POST if request.method == "POST" else None,
        signed_in=patron_id is not None,
        initial={"language": language, "topic": "other"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _question, key = services.ask(
                "web",
                data["text"],
                data["topic"],
                services.Contact(data["contact_email"], data["contact_phone"]),
                language=data["language"],
                patron_id=patron_id,
                link_to_patron=bool(data.get("link_to_account")),
            )
        except InputError as error:
            add_service_error(form, error)
        else:
            link = request.build_absolute_uri(reverse("reference:asked", args=[key]))
            context = {
                "link": link,
                "reply_by": data["contact_email"] or data["contact_phone"],
                "linked": bool(data.get("link_to_account")),
            }
            return render(request, "reference/asked.html", context)
    status = 422 if form.is_bound else 200
    context = {"form": form, "errors": errors_by_label(form) if form.is_bound else []}
    return render(request, "reference/ask.html", context, status=status)


@never_cache
def asked(request: HttpRequest, asker_key: str) -> HttpResponse:
    """What the private link opens: the question's status and, once answered, the answers
    with their sources."""
    question = selectors.question_for_asker(asker_key)
    if question is None:
        raise Http404
    response = render(request, "reference/asker_view.html", {"question": question})
    response["Cache-Control"] = "no-store"
    return response
