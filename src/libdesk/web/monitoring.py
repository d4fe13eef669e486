"""A node's readiness, and the gauges read from the database when /metrics is scraped.

Ready means a load balancer may send this node requests: its database answers, its search
index is not far behind the catalogue (searches would miss new records and show stale
availability), and background tasks are being taken (notices go out). The limits are
settings (LIBDESK_READY_MAX_INDEX_LAG, LIBDESK_READY_MAX_QUEUE_DEPTH; 0 leaves one out).
Nothing here reads or shows anything about a patron: counts only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily

from libdesk.catalog.search.lag import index_lag
from libdesk.core.health import database_reachable, task_queue


@dataclass(frozen=True)
class Check:
    """One condition of readiness: its name, whether it holds, and the figures behind it."""

    name: str
    ok: bool
    figures: dict[str, object] = field(default_factory=dict)


def _within(name: str, figure: str, value: int, limit: int) -> Check:
    return Check(name, not limit or value <= limit, {figure: value, "limit": limit})


def readiness() -> list[Check]:
    """The database first: without it, nothing else can be measured (and is not ready)."""
    if not database_reachable():
        return [Check("database", False), *_unmeasured()]
    limits = settings.LIBDESK
    try:
        lag, queue = index_lag(), task_queue()
    except DatabaseError:
        return [Check("database", False), *_unmeasured()]
    return [
        Check("database", True),
        _within("search_index", "behind", lag, limits["READY_MAX_INDEX_LAG"]),
        _within("task_queue", "waiting", queue.waiting, limits["READY_MAX_QUEUE_DEPTH"]),
    ]


def _unmeasured() -> list[Check]:
    unknown = {"reason": "the database is unreachable"}
    return [Check("search_index", False, unknown), Check("task_queue", False, unknown)]


class DatabaseGauges:
    """Gauges read at scrape time: the same for every process, so not kept by any of them."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = database_reachable()
        yield GaugeMetricFamily(
            "libdesk_database_up", "1 when the database answered the scrape, else 0", int(up)
        )
        if not up:
            return
        try:
            lag, queue = index_lag(), task_queue()
        except DatabaseError:
            return
        yield GaugeMetricFamily(
            "libdesk_search_index_lag",
            "Catalogue changes this node's search index has not applied yet",
            lag,
        )
        yield GaugeMetricFamily(
            "libdesk_task_queue_depth",
            "Background tasks due and not yet taken by a worker",
            queue.waiting,
        )
        yield GaugeMetricFamily(
            "libdesk_task_queue_oldest_seconds",
            "How long the oldest task due has waited for a worker",
            queue.oldest_seconds,
        )
