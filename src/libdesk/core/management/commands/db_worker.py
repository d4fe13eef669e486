"""`libdesk db_worker`: django-tasks-db's worker, with a heartbeat so that a task whose worker
died is run again by another (core/leases.py). `libdesk run` starts one on every node; any
number may share one database."""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from libdesk.core.leases import Heartbeat


class Command(db_worker.Command):
    help = (
        "Run background tasks from the database queue, with a heartbeat; a task left running "
        "by a worker silent past LIBDESK_TASK_LEASE_SECONDS is queued again."
    )

    def handle(self, *args: object, worker_id: str, **options: object) -> None:
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stopping.set()
