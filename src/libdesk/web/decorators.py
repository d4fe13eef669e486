"""Door helpers shared by the web views."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from libdesk.core.decisions import Refused
from libdesk.core.ratelimit import check_anonymous_form, client_address


def render_refusal(request: HttpRequest, refused: Refused) -> HttpResponse:
    """Render a refused Decision as a page, with its status and Retry-After when it has one."""
    response = render(
        request, "web/refused.html", {"decision": refused.decision}, status=refused.status
    )
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    return response


def rate_limited_form(form: str) -> Callable:
    """Count each POST to an anonymous form against the address's limit."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "POST":
                try:
                    check_anonymous_form(form, client_address(request))
                except Refused as refused:
                    return render_refusal(request, refused)
            return view(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorator
