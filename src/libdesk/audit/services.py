"""Writing, verifying and pruning the audit chain.

`record` must run inside the transaction of the change it records, so the entry and the
change commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from libdesk.core import clock
from libdesk.core.statements import Insert, Select, Update

GENESIS = "0" * 64
# Every change appends here, so the three statements are compiled once (core.statements).
HEAD = Select(lambda: AuditHead.objects.select_for_update().filter(pk=1))
NEW_ENTRY = Insert(
    AuditEntry,
    seq=int,
    at=datetime,
    actor_kind=str,
    actor_id=str,
    actor_role=str,
    workstation=str,
    branch=str,
    action=str,
    object_type=str,
    object_id=str,
    patron_id=int,
    data_kind=str,
    reason=str,
    prev_hash=str,
    hash=str,
)
MOVE_HEAD = Update(
    lambda seq, hash: (AuditHead.objects.filter(pk=1), {"seq": seq, "hash": hash}),
    seq=int,
    hash=str,
)


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    patron_id: int | None = None,
    data_kind: str = "",
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the chain (ids and codes only, never contents)."""
    with transaction.atomic(savepoint=False):  # inside the change's own transaction
        head = HEAD.first()
        if head is None:
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=clock.now(),
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_role=actor.role,
            workstation=actor.workstation,
            branch=actor.branch,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            patron_id=patron_id,
            data_kind=data_kind,
            reason=reason[:60],
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        NEW_ENTRY.save(entry)
        MOVE_HEAD.run(seq=entry.seq, hash=entry.hash)
        return entry


def entry_hash(entry: AuditEntry) -> str:
    fields = [
        entry.seq,
        entry.at.isoformat(timespec="microseconds"),
        entry.actor_kind,
        entry.actor_id,
        entry.actor_role,
        entry.workstation,
        entry.branch,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.patron_id,
        entry.data_kind,
        entry.reason,
        entry.prev_hash,
    ]
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify() -> Verification:
    """Walk the chain from the last checkpoint; name the first entry that does not fit."""
    checkpoint = AuditCheckpoint.objects.first()
    expected_seq, expected_prev = (
        (checkpoint.seq + 1, checkpoint.hash) if checkpoint else (1, GENESIS)
    )
    checked = 0
    entries = AuditEntry.objects.filter(seq__gte=expected_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return Verification(
                False,
                checked,
                f"entry {expected_seq} is missing (the next is {entry.seq})",
                expected_seq,
            )
        if entry.prev_hash != expected_prev:
            return Verification(
                False,
                checked,
                f"entry {entry.seq} does not follow the entry before it",
                entry.seq,
            )
        if entry_hash(entry) != entry.hash:
            return Verification(
                False, checked, f"entry {entry.seq} was changed after it was written", entry.seq
            )
        expected_seq, expected_prev = entry.seq + 1, entry.hash
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and head.seq >= expected_seq:
        return Verification(
            False, checked, f"entries {expected_seq} to {head.seq} are missing", expected_seq
        )
    return Verification(True, checked)


def prune(retention_days: int | None = None) -> int:
    """Delete entries past the retention period, keeping a checkpoint so the rest verifies."""
    days = (
        retention_days if retention_days is not None else settings.LIBDESK["AUDIT_RETENTION_DAYS"]
    )
    cutoff = clock.now() - timedelta(days=days)
    with transaction.atomic():
        AuditHead.objects.select_for_update().get_or_create(pk=1)
        old = AuditEntry.objects.filter(at__lt=cutoff).order_by("-seq")
        last = old.first()
        if last is None:
            return 0
        count = AuditEntry.objects.filter(seq__lte=last.seq).count()
        AuditCheckpoint.objects.create(
            seq=last.seq, hash=last.hash, pruned_at=clock.now(), entries_pruned=count
        )
        AuditEntry.objects.filter(seq__lte=last.seq).delete()
        return count
