"""Enqueuing a background task so that it runs only once the change asking for it commits."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task_backends


def uses_database_backend(task) -> bool:
    """Whether the task's rows live in libdesk's own database (django-tasks-db)."""
    return type(task_backends[task.backend]).__module__.startswith("django_tasks_db")


def enqueue_after_commit(task, *args) -> None:
    """With the database backend the task row is written inside the change's own transaction:
    the worker cannot see it before the commit, a rollback takes it away with the change, and
    the change costs one commit instead of two (a notice after a check-in would otherwise wait
    for a second fsync). Any other backend (the immediate one in tests, a broker) is called
    from on_commit, so nothing runs or leaves before the change is stored."""
    if uses_database_backend(task) and transaction.get_connection().in_atomic_block:
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
