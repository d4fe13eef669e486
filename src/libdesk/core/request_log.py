"""Every web and API request timed, counted and logged by its route pattern, with an id.

The outermost middleware: it sees every answer, the 414s and 404s of other middleware and of
URL resolution included. It labels the latency histogram (core.metrics) with the door (web or
api) and the resolver's route, `staff/serving/<uuid:context_id>/`, never the path itself,
which may hold a card number or a private link; a request that resolved to no route is
`unresolved`. It writes one line per request to the `libdesk.request` logger at INFO (method,
route, status, duration, id: nothing about who asked), and gives the request an id that
every log line written while it is answered carries in JSON logs (core.jsonlog), and that the
answer carries in `X-Request-ID`, so a proxy's log and libdesk's can be matched.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from libdesk.core import metrics

log = logging.getLogger("libdesk.request")
UNRESOLVED = "unresolved"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass
class RequestInfo:
    """What a log line may say about the request being answered: never its path or caller."""

    request_id: str
    door: str
    method: str
    route: str = UNRESOLVED
    status: int | None = None
    duration_ms: float | None = None


CURRENT: ContextVar[RequestInfo | None] = ContextVar("libdesk_request", default=None)


def route_of(request: HttpRequest) -> str:
    """The route pattern the request resolved to, or `unresolved`."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else UNRESOLVED


def unlogged(view: Callable) -> Callable:
    """Marks a view whose requests are counted but not logged line by line: a load balancer
    asks for /healthz every few seconds, which would bury everything else."""
    view.unlogged = True
    return view


class ObserveRequests:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        method = request.method if request.method in METHODS else "other"
        door = "api" if request.path_info.startswith("/api/") else "web"
        info = RequestInfo(uuid.uuid4().hex, door, method)
        request.observed = info  # Django logs a 4xx or 5xx after the middleware returned
        token = CURRENT.set(info)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            info.route, info.status = route_of(request), response.status_code
            info.duration_ms = round(seconds * 1000, 1)
            metrics.observe_request(door, info.route, method, response.status_code, seconds)
            match = getattr(request, "resolver_match", None)
            if not getattr(match.func if match else None, "unlogged", False):
                log.info("%s %s %s %.1f ms", method, info.route, info.status, info.duration_ms)
            response["X-Request-ID"] = info.request_id
            return response
        finally:
            CURRENT.reset(token)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        """Once the URL is resolved, lines logged by the view carry its route."""
        info = CURRENT.get()
        if info is not None:
            info.route = route_of(request)
