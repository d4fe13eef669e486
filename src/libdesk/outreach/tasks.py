"""Outreach's background work: mailing a newsletter issue, queued to run after the sending
commits. The task carries the issue's id only; a re-run mails nobody twice (mailing.py)."""

from __future__ import annotations

from django_tasks import task

from libdesk.outreach.mailing import deliver_issue


@task()
def send_newsletter(issue_id: int) -> None:
    """Mail one issue to everyone who asked for the newsletter."""
    deliver_issue(issue_id)
