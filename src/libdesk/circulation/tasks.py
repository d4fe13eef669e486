"""Circulation's background tasks. Each is idempotent: a re-run sends nothing twice."""

from django_tasks import task

from libdesk.circulation.notices import deliver, deliver_receipt


@task()
def send_notice(kind: str, object_id: int, stage: str = "") -> None:
    """One notice for one loan, hold or request."""
    deliver(kind, object_id, stage)


@task()
def send_receipt(loan_ids: list[int]) -> None:
    """A checkout receipt, for loans still on one patron's card."""
    deliver_receipt(loan_ids)
