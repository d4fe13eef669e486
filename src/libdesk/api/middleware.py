"""The API reads JSON bodies only. A form or `text/plain` body is what another site can make a
visitor's browser send without asking first (no CORS preflight): refused with 415 before any
handler runs, the sign-in included, so no page elsewhere can sign a visitor in or spend their
attempts."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
JSON = "application/json"


class JsonBodiesOnly:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(API_PREFIX)
            and _has_body(request)
            and request.content_type != JSON
        ):
            return JsonResponse(
                {"detail": f"send the request body as {JSON} (Content-Type: {JSON})"},
                status=415,
            )
        return self.get_response(request)


def _has_body(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return (length.isdigit() and int(length) > 0) or "HTTP_TRANSFER_ENCODING" in request.META
