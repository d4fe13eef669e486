"""The indexer's task: apply the outbox to the search engine."""

from django.db import transaction
from django_tasks import task, task_backends

from libdesk.catalog.search.indexer import drain_outbox


@task()
def apply_catalog_outbox() -> None:
    drain_outbox()


def request_index_drain() -> None:
    """Make sure a drain runs after this transaction commits. With the database backend, a
    drain already waiting to start will apply this change too, so no second task row (and no
    second commit) is written: circulation changes an item's status many times a minute."""
    transaction.on_commit(_enqueue_unless_waiting)


def _enqueue_unless_waiting() -> None:
    from django_tasks.base import TaskResultStatus

    backend = task_backends[apply_catalog_outbox.backend]
    if type(backend).__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            task_path=apply_catalog_outbox.module_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            return
    apply_catalog_outbox.enqueue()
