"""Work that several nodes share through the database: background tasks and periodic jobs.

Background tasks (django-tasks-db) are claimed by one worker with a row lock (`SELECT ... FOR
UPDATE SKIP LOCKED` on PostgreSQL, an exclusive transaction on SQLite) and marked running. If
that worker dies (kill -9, the machine stops) the row would stay "running" for ever: so each
worker beats a heartbeat row (`WorkerBeat`) from a thread of its own, also while a task runs,
and any worker puts back in the queue a task still running under a worker silent for
LIBDESK_TASK_LEASE_SECONDS. A task may thus run twice after a crash, never zero times: libdesk's
tasks are written to be safe to repeat.

Periodic jobs (`libdesk run` starts the hourly jobs on every node) take a row per job and
period (`JobRun`): the node that inserts it runs the job; the others count themselves as
skipped. The row's lease lets another node take over a run whose node died before finishing.
"""

from __future__ import annotations

import hashlib
import math
import socket
import threading
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from libdesk.core import clock
from libdesk.core.models import JobRun, WorkerBeat

BEATS_KEPT = timedelta(days=1)


def node_id() -> str:
    """This node's name: LIBDESK_NODE_ID, or the host's name and a digest of its search index's
    directory (two data dirs on one machine are two nodes)."""
    if configured := settings.LIBDESK["NODE_ID"]:
        return configured
    where = str(settings.LIBDESK["SEARCH_DIR"].resolve())
    return f"{socket.gethostname()}:{hashlib.sha256(where.encode()).hexdigest()[:12]}"


def lease_seconds() -> float:
    return float(settings.LIBDESK["TASK_LEASE_SECONDS"])


def beat(worker_id: str) -> None:
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": clock.now()})


def requeue_orphans() -> int:
    """Put back in the queue every task marked running whose worker has been silent past the
    lease; returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = clock.now()
    silent_since = now - timedelta(seconds=lease_seconds())
    alive = set(
        WorkerBeat.objects.filter(beat_at__gte=silent_since).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=silent_since
        ).select_for_update(skip_locked=True)
        for task in running:
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            requeued += 1
    WorkerBeat.objects.filter(beat_at__lt=now - BEATS_KEPT).delete()
    return requeued


class Heartbeat(threading.Thread):
    """A worker's heartbeat, and the search for orphaned tasks, every quarter lease."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="task-lease", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                beat(self.worker_id)
                requeue_orphans()
                self.stopping.wait(lease_seconds() / 4)
        finally:
            connection.close()


def period_start(every: int, now: datetime | None = None) -> datetime:
    """The start of the period of `every` seconds that `now` falls in (UTC, epoch-aligned)."""
    now = now or clock.now()
    return datetime.fromtimestamp(math.floor(now.timestamp() / every) * every, tz=UTC)


def claim_period(name: str, every: int, holder: str, lease: timedelta) -> JobRun | None:
    """Take this period's run of job `name` for `holder`, or None if another holds it (or
    finished it). A run whose lease passed without finishing is taken over."""
    start = period_start(every)
    now = clock.now()
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                name=name,
                period_start=start,
                holder=holder,
                started_at=now,
                lease_until=now + lease,
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(name=name, period_start=start)
        if run.finished_at is None and run.lease_until < now:
            run.holder, run.started_at, run.lease_until = holder, now, now + lease
            run.attempts += 1
            run.save(update_fields=["holder", "started_at", "lease_until", "attempts"])
            return run
        run.skipped += 1
        run.save(update_fields=["skipped"])
        return None


def finish(run: JobRun) -> None:
    JobRun.objects.filter(pk=run.pk).update(finished_at=clock.now())
    JobRun.objects.filter(
        name=run.name, period_start__lt=run.period_start - timedelta(days=30)
    ).delete()
