"""The indexer task: catalogue changes enqueue it after commit; the worker runs it."""

from django_tasks import task

from libdesk.catalog.search.indexer import drain_outbox


@task()
def apply_catalog_outbox() -> None:
    drain_outbox()
