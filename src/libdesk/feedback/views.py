"""The comment form on the web: anyone leaves a comment (a signed-in patron may sign it and
ask for a reply). Any page links here, with `?service=` naming the kind of service it is
about (an answer page `reference_answer`, an event page `event`, a desk receipt
`desk_visit`); nothing else about the page is kept. Views fetch, call a service, render."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from libdesk.core.errors import InputError
from libdesk.feedback import services
from libdesk.feedback.forms import CommentForm
from libdesk.feedback.models import Service
from libdesk.web.decorators import rate_limited_form
from libdesk.web.form_errors import add_service_error, errors_by_label
from libdesk.web.patron_session import signed_in_patron_id


@rate_limited_form("feedback")
def comment(request: HttpRequest) -> HttpResponse:
    """The form (GET, with the service a page named), and leaving a comment (POST, counted
    against the address's limit)."""
    patron_id = signed_in_patron_id(request)
    service = request.GET.get("service", "")
    language = "fr" if get_language().startswith("fr") else "en"
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        signed_in=patron_id is not None,
        initial={
            "service": service if service in Service.values else Service.GENERAL,
            "language": language,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.leave_comment(
                data["text"],
                data["service"],
                rating=data["rating"],
                language=data["language"],
                patron_id=patron_id,
                sign=bool(data.get("sign")),
                wants_reply=bool(data.get("wants_reply")),
            )
        except InputError as error:
            add_service_error(form, error)
        else:
            context = {"signed": bool(data.get("sign")), "wants_reply": data.get("wants_reply")}
            return render(request, "feedback/thanks.html", context)
    status = 422 if form.is_bound else 200
    context = {
        "form": form,
        "signed_in": patron_id is not None,
        "errors": errors_by_label(form) if form.is_bound else [],
    }
    return render(request, "feedback/comment.html", context, status=status)
