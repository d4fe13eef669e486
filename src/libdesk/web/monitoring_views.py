"""The doors a load balancer and a monitoring system use: /healthz, /readyz and /metrics.

/healthz and /readyz are anonymous, tiny, not audited and not rate-limited, and say nothing
about anyone: a load balancer asks every few seconds. /metrics answers only the monitoring
token (LIBDESK_METRICS_TOKEN, sent as `Authorization: Bearer`); with none configured it is not
there at all (404), and any other caller, signed in or not, is refused (403).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from libdesk.core import metrics
from libdesk.core.request_log import unlogged
from libdesk.web.monitoring import DatabaseGauges, readiness


@unlogged
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process answers. It reads nothing, the database included, so a database
    outage does not get every node restarted; /readyz tells whether to send it requests."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@unlogged
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for requests: 200, or 503 naming the checks that failed, each with its figures."""
    checks = readiness()
    failing = [check.name for check in checks if not check.ok]
    body = {
        "ready": not failing,
        "not_ready": failing,
        "checks": {check.name: {"ok": check.ok, **check.figures} for check in checks},
    }
    response = JsonResponse(body, status=503 if failing else 200)
    # A node not ready is the probe's answer, not a server error: Django would log one at
    # ERROR on every probe, every few seconds. /metrics and the probe itself tell it.
    response._has_been_logged = True
    return response


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _is_monitoring(request: HttpRequest, expected: str) -> bool:
    """The bearer token matches, compared in constant time (digests of equal length)."""
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    right = hmac.compare_digest(_digest(given.strip()), _digest(expected))
    return scheme.lower() == "bearer" and right


@unlogged
@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    expected = settings.LIBDESK["METRICS_TOKEN"]
    if not expected:
        raise Http404
    if not _is_monitoring(request, expected):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    body = metrics.exposition([DatabaseGauges()])
    return HttpResponse(body, content_type=metrics.CONTENT_TYPE)
