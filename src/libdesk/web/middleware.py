"""Middleware of libdesk's own: CSRF with `no-referrer`, and one limit on query strings.

CSRF: with `Referrer-Policy: no-referrer` (PRIVACY.md), browsers send `Origin: null` on a form
POST, which Django's origin check refuses. The browser also sends `Sec-Fetch-Site`, a header no
page script can set; when it says the request came from this same origin, the null origin is
ours. The CSRF token is still checked on every such request.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _


class CsrfMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request: HttpRequest) -> bool:
        if (
            request.META.get("HTTP_ORIGIN") == "null"
            and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        ):
            return True
        return super()._origin_verified(request)


class QueryStringLimitMiddleware:
    """Every door, web and API, refuses a query string longer than
    LIBDESK_MAX_QUERY_STRING_BYTES with 414, before sessions, views or parsing: no page or
    endpoint needs more, and a long one costs work in proportion to its length."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = len(request.META.get("QUERY_STRING", "").encode("latin-1", "replace"))
        limit = settings.LIBDESK["MAX_QUERY_STRING_BYTES"]
        if length > limit:
            return self._too_long(request, length, limit)
        return self.get_response(request)

    def _too_long(self, request: HttpRequest, length: int, limit: int) -> HttpResponse:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            message = _(
                "The address is too long: its query string (after the ?) has %(length)s "
                "bytes, and at most %(limit)s are accepted. Shorten the search or the filters."
            ) % {"length": length, "limit": limit}
            title = _("Address too long")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=414)
        page = (
            f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
            f'<p>{escape(message)}</p><p><a href="/">libdesk</a></p></body></html>'
        )
        return HttpResponse(page, status=414, content_type="text/html; charset=utf-8")
