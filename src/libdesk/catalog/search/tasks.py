"""The indexer's task: apply the outbox to the search engine."""

from django.db import transaction
from django_tasks import task

from libdesk.catalog.search.indexer import drain_outbox
from libdesk.core.statements import Select
from libdesk.core.tasks import uses_database_backend


@task()
def apply_catalog_outbox() -> None:
    drain_outbox()


def _drains(path: str, status: str):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path, status=status).values_list("pk")[:1]


# Asked after every circulation change: compiled once (core.statements).
DRAIN_WAITING = Select(_drains, path=str, status=str)


def request_index_drain() -> None:
    """Make sure a drain runs after this transaction commits. With the database backend, a
    drain already waiting to start will apply this change too, so no second task row (and no
    second commit) is written: circulation changes an item's status many times a minute."""
    transaction.on_commit(_enqueue_unless_waiting)


def _enqueue_unless_waiting() -> None:
    from django_tasks.base import TaskResultStatus

    if uses_database_backend(apply_catalog_outbox):
        path = apply_catalog_outbox.module_path
        if DRAIN_WAITING.first(path=path, status=TaskResultStatus.READY):
            return
    apply_catalog_outbox.enqueue()
