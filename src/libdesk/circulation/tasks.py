"""Circulation's background tasks. Each is idempotent: a re-run sends nothing twice."""

from django_tasks import task

from libdesk.circulation.notices import deliver


@task()
def send_notice(kind: str, object_id: int, stage: str = "") -> None:
    """One notice for one loan, hold or request."""
    deliver(kind, object_id, stage)
