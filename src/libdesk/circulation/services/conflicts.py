"""Staff deal with what a kiosk's offline loans left for them (services/offline.py records the
conflicts): once looked at, a conflict is marked resolved, and the purge deletes it after
LIBDESK_OFFLINE_CONFLICT_RETENTION_DAYS."""

from __future__ import annotations

from django.db import transaction

from libdesk.access.purposes import Access
from libdesk.audit import services as audit
from libdesk.circulation.models import OfflineConflict
from libdesk.core import clock
from libdesk.core.bounds import parse_id
from libdesk.core.errors import NotFound


def resolve_offline_conflict(access: Access, conflict_id: object) -> OfflineConflict:
    """Staff serving the patron mark one of the patron's conflicts resolved (a change of the
    patron's loans). Marked twice (a double click), it stays resolved as it was. Audited by
    the conflict, never the patron, as every circulation entry is."""
    access.change("patron.loans")
    number = parse_id(conflict_id)
    with transaction.atomic():
        conflict = (
            OfflineConflict.objects.select_for_update()
            .filter(pk=number, patron_id=access.patron_id)
            .first()
            if number is not None
            else None
        )
        if conflict is None:
            raise NotFound
        if conflict.resolved_at is None:
            conflict.resolved_at = clock.now()
            conflict.save(update_fields=["resolved_at"])
            audit.record(
                access.actor,
                "circulation.offline_conflict.resolve",
                object_type="offline_conflict",
                object_id=conflict.pk,
            )
    return conflict
