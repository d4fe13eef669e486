"""Circulation's background work: notices and receipts queued to run after the change that
caused them commits (if it rolls back, nothing is sent), and the day's notices. Each task is
idempotent (a re-run sends nothing twice) and carries ids only, never a patron with an item."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from libdesk.circulation.models import Hold, HoldStatus, Loan, LoanState
from libdesk.circulation.notices import OVERDUE_STAGES, deliver, deliver_receipt
from libdesk.circulation.rules import terms
from libdesk.core import clock
from libdesk.core.tasks import enqueue_after_commit


@task()
def send_notice(kind: str, object_id: int, stage: str = "") -> None:
    """One notice for one loan, hold or request."""
    deliver(kind, object_id, stage)


@task()
def send_receipt(loan_ids: list[int]) -> None:
    """A checkout receipt, for loans still on one patron's card."""
    deliver_receipt(loan_ids)


def queue_notice(kind: str, object_id: int, stage: str = "") -> None:
    """Send after commit; if the change rolls back, no notice goes."""
    enqueue_after_commit(send_notice, kind, object_id, stage)


def queue_receipt(loan_ids: list[int]) -> None:
    """E-mail a checkout receipt after commit; the task carries loan ids only."""
    enqueue_after_commit(send_receipt, sorted(loan_ids))


def daily_notices() -> int:
    """Enqueue today's due-soon, overdue and hold-expiring notices (each goes once)."""
    today = clock.today()
    queued = 0
    soon = today + timedelta(days=terms().due_soon_days)
    open_loans = Loan.objects.filter(state=LoanState.OPEN, patron__isnull=False)
    for loan_id in open_loans.filter(due=soon).values_list("pk", flat=True):
        queue_notice("due_soon", loan_id, stage=soon.isoformat())
        queued += 1
    for loan_id, due in open_loans.filter(due__lt=today).values_list("pk", "due"):
        stage = max(s for s in OVERDUE_STAGES if s <= (today - due).days)
        queue_notice("overdue", loan_id, stage=str(stage))
        queued += 1
    tomorrow = today + timedelta(days=1)
    for hold_id in Hold.objects.filter(status=HoldStatus.READY, shelf_expires=tomorrow).values_list(
        "pk", flat=True
    ):
        queue_notice("hold_expiring", hold_id)
        queued += 1
    return queued
