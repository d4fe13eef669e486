"""libdesk's Prometheus metrics: what a monitoring system scrapes from `/metrics`.

Counted as things happen, in whichever process they happen in: request latency by door and
route pattern (the resolver's route, `staff/serving/<uuid:context_id>/`, never the path a
caller typed, which may hold a card number or a private link), checkouts by door, catalogue
searches by door, and failed sign-ins by channel. No label ever holds a patron, a card, a
barcode or an address: only doors, routes, methods, status classes and channels, a short
fixed list each.

`libdesk run` serves with several processes (the web server, the SIP2 server, the worker), so
it gives them all one folder in PROMETHEUS_MULTIPROC_DIR before they start (prometheus-client's
multiprocess mode, chosen when the library is first imported): each process writes its own
counters there and a scrape sums them. Without it (a test, `libdesk serve_web` alone) the
counters live in the process. What is read from the database at scrape time (index lag, task
queue depth) is added by the door that serves `/metrics` (web/monitoring.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Every metric lives here rather than in the library's default registry, whose process
# collectors do not work in multiprocess mode.
REGISTRY = CollectorRegistry(auto_describe=True)

# Buckets from 5 ms (a cached page) to 10 s (a sign-in's argon2 under load, a large export).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "libdesk_request_duration_seconds",
    "Time to answer a request, by door (web, api, sip2) and route pattern (never the raw path)",
    ["door", "route", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
CHECKOUTS = Counter(
    "libdesk_checkouts",
    "Checkouts committed, by door (desk, api, self, kiosk)",
    ["door"],
    registry=REGISTRY,
)
SEARCHES = Counter(
    "libdesk_catalog_searches",
    "Catalogue searches answered, by door (web, api)",
    ["door"],
    registry=REGISTRY,
)
SIGN_IN_FAILURES = Counter(
    "libdesk_sign_in_failures",
    "Wrong PINs or passwords, and attempts refused while locked, by channel (online, kiosk)",
    ["channel", "outcome"],
    registry=REGISTRY,
)


def status_class(status: int | str) -> str:
    """`2xx`, `4xx`...: the exact code would multiply the series for little gain. A SIP2
    answer has no HTTP status: `answered`, or `resend` (96)."""
    return f"{status // 100}xx" if isinstance(status, int) else status


def observe_request(door: str, route: str, method: str, status: int | str, seconds: float) -> None:
    REQUEST_SECONDS.labels(door, route, method, status_class(status)).observe(seconds)


def checked_out(door: str) -> None:
    CHECKOUTS.labels(door).inc()


def searched(door: str) -> None:
    SEARCHES.labels(door).inc()


def sign_in_failed(channel: str, outcome: str) -> None:
    SIGN_IN_FAILURES.labels(channel, outcome).inc()


class _Local(Collector):
    """This process's own metrics, when no multiprocess folder is in use."""

    def collect(self) -> Iterable:
        return REGISTRY.collect()


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text a scrape reads: every process's counters (summed) and the `extra` collectors."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)
    else:
        registry.register(_Local())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


@contextmanager
def shared_by_children() -> Iterator[str]:
    """A fresh folder in PROMETHEUS_MULTIPROC_DIR for the processes started inside the block
    (`libdesk run`'s services), removed after them: counters begin at zero with each run, as
    Prometheus expects of a restarted target. An operator's own folder is used as given,
    emptied first (files from an earlier run would add to this one's)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        os.makedirs(given, mode=0o700, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.unlink(os.path.join(given, name))
        yield given
        return
    folder = tempfile.mkdtemp(prefix="libdesk-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield folder
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)
