"""The opt-in reading history (PRIVACY.md): written at check-in only while the patron consents,
kept in its own table (the record and the day it came back, never the copy or the loan), and
seen, exported and deleted by the patron. Withdrawing consent deletes it (patrons.services
calls `forget` through its withdrawal hook), and a guardian never sees it unless the child
chose so."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from libdesk.access.purposes import Access
from libdesk.access.table import Context
from libdesk.audit import services as audit
from libdesk.circulation.models import ReadingHistoryEntry
from libdesk.core.errors import NotFound
from libdesk.core.statements import Insert
from libdesk.patrons.models import ConsentPurpose
from libdesk.patrons.selectors import has_consented

# Written at check-in: compiled once (core.statements).
NEW_ENTRY = Insert(ReadingHistoryEntry, patron_id=int, record_id=int, returned_on=date)


def remember_return(patron_id: int | None, record_id: int, returned_on: date) -> bool:
    """Called in the check-in's transaction, with the loan's patron read before the loan was
    unlinked: write the entry if, and only if, the patron keeps a reading history."""
    if not patron_id or not has_consented(patron_id, ConsentPurpose.READING_HISTORY):
        return False
    NEW_ENTRY.run(patron_id=patron_id, record_id=record_id, returned_on=returned_on)
    return True


def shown_to_guardian(child_id: int) -> bool:
    """Whether the child chose to let their guardian see their reading history (PRIVACY.md:
    not shown to the guardian unless the child chose so)."""
    return has_consented(child_id, ConsentPurpose.GUARDIAN_VISIBILITY)


def history(access: Access) -> QuerySet[ReadingHistoryEntry]:
    """The patron's reading history, newest first. A guardian (online; the access table
    has no cell at the desk) finds nothing, as if there were none, unless the child chose to
    let their guardian see it."""
    if access.context != Context.SELF and not shown_to_guardian(access.patron_id):
        raise NotFound
    access.read("patron.history", "history")
    return ReadingHistoryEntry.objects.filter(patron_id=access.patron_id).select_related("record")


def delete_history(access: Access) -> int:
    """The patron deletes their whole reading history (consent stands: new returns are kept
    again from now on). Answers how many entries went."""
    access.change("patron.history")
    with transaction.atomic():
        deleted = forget(access.patron_id)
        audit.record(
            access.actor,
            "patron.history.delete",
            object_type="patron",
            object_id=access.patron_id,
            patron_id=access.patron_id,
        )
    return deleted


def forget(patron_id: int) -> int:
    """Delete every entry of the patron's history (consent withdrawn, or the history deleted);
    runs in the caller's transaction."""
    return ReadingHistoryEntry.objects.filter(patron_id=patron_id).delete()[0]
