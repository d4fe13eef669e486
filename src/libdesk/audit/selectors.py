"""Reading the audit log: the whole log for the privacy officer, a filtered view for a patron."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet

from libdesk.audit.models import ActorKind, AuditEntry
from libdesk.core import clock


def search_log(
    *,
    action: str = "",
    actor_id: str = "",
    patron_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The privacy officer's search; the caller checks the access table first."""
    entries = AuditEntry.objects.order_by("-seq")
    if action:
        entries = entries.filter(action__startswith=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if patron_id is not None:
        entries = entries.filter(patron_id=patron_id)
    zone = clock.library_zone()
    if since:
        entries = entries.filter(at__gte=datetime.combine(since, time.min, zone))
    if until:
        entries = entries.filter(at__lt=datetime.combine(until, time.max, zone))
    return entries


def reads_of_patron(patron_id: int) -> QuerySet[AuditEntry]:
    """When, by which role and at which branch staff looked at this patron's record: every
    read, every time staff opened the account at the desk (even if nothing was read), and
    every time a librarian read a question the patron linked to their account or a comment
    they signed."""
    return (
        AuditEntry.objects.filter(
            Q(action__startswith="patron.read")
            | Q(action="serving.open")
            | Q(action="reference.read")
            | Q(action="feedback.read"),
            patron_id=patron_id,
            actor_kind__in=[ActorKind.STAFF, ActorKind.GUARDIAN, ActorKind.SYSTEM],
        )
        .order_by("-seq")
        .only("at", "actor_role", "branch", "data_kind", "actor_kind")
    )
