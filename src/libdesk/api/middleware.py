"""The API reads JSON bodies only. A form or `text/plain` body is what another site can make a
visitor's browser send without asking first (no CORS preflight): refused with 415 before any
handler runs, the sign-in included, so no page elsewhere can sign a visitor in or spend their
attempts. And no API answer is kept by a browser or a proxy (`Cache-Control: no-store`)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
JSON = "application/json"
# Django reads at most this much of a body into memory (DATA_UPLOAD_MAX_MEMORY_SIZE); past it
# the API says so in JSON rather than with Django's HTML error page. Every body the API takes
# is far smaller.
LARGEST = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class JsonBodiesOnly:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and _length(request) > LARGEST:
            return JsonResponse(
                {"detail": f"the body is larger than the API takes ({LARGEST} bytes)"},
                status=413,
            )
        if (
            request.path.startswith(API_PREFIX)
            and _has_body(request)
            and request.content_type != JSON
        ):
            return JsonResponse(
                {"detail": f"send the request body as {JSON} (Content-Type: {JSON})"},
                status=415,
            )
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and "Cache-Control" not in response:
            # Answers name patrons, questions and loans: no browser or proxy keeps a copy.
            response["Cache-Control"] = "no-store"
        return response


def _length(request: HttpRequest) -> int:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return int(length) if length.isascii() and length.isdigit() and len(length) < 19 else 0


def _has_body(request: HttpRequest) -> bool:
    return _length(request) > 0 or "HTTP_TRANSFER_ENCODING" in request.META
