"""Bringing this node's search index up to date after a catalogue change.

Under `libdesk run` every node's follower service polls the outbox (catalog/search/follower.py),
so with the database task backend nothing is queued: a task row, run by whichever worker
claims it, could feed only one node's index. With any other backend (the immediate one in
tests, a one-process setup without the follower) the task applies the outbox to the index of
the process that runs it, after the change commits."""

from django.db import transaction
from django_tasks import task

from libdesk.catalog.search.follower import follow_outbox
from libdesk.core.tasks import uses_database_backend


@task()
def apply_catalog_outbox() -> None:
    follow_outbox()


def request_index_drain() -> None:
    """Have this change reach the search index: at once after the commit where no follower
    service runs; by the followers' next poll under `libdesk run`."""
    if not uses_database_backend(apply_catalog_outbox):
        transaction.on_commit(apply_catalog_outbox.enqueue)
