"""What a node's readiness depends on below the catalogue: its database and the task queue.

Read by /readyz and /metrics (web/monitoring.py) on every probe and scrape, so each is one
small query; none reads anything about a patron.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, connection

from libdesk.core import clock


def database_reachable() -> bool:
    """Whether one round trip to the database succeeds now."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:  # Django drops a connection that failed at the request's end
        return False
    return True


@dataclass(frozen=True)
class TaskQueue:
    """Background tasks due now and not yet claimed by a worker, and how long the oldest
    has waited: a worker that stopped, or cannot keep up, shows here."""

    waiting: int
    oldest_seconds: float


def task_queue() -> TaskQueue:
    from django_tasks_db.models import DBTaskResult

    due = DBTaskResult.objects.ready()
    oldest = due.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (clock.now() - oldest).total_seconds() if oldest else 0.0
    return TaskQueue(due.count(), max(0.0, age))
