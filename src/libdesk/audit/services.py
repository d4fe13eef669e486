"""Writing the audit chain, and the privacy officer's operations on it: pruning past the
retention period, rotating the audit key, taking an anchor.

`record` must run inside the transaction of the change it records, so the entry and the
change commit together or not at all. Each entry is signed with the key the head names
(audit/chain.py, audit/keys.py); reasons and kinds of data must be registered codes
(audit/reasons.py, audit/data_kinds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Subquery

from libdesk.audit import chain, data_kinds, keys, reasons
from libdesk.audit.actors import Actor
from libdesk.audit.anchors import Anchor
from libdesk.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from libdesk.audit.verification import ROTATE, verify
from libdesk.core import clock
from libdesk.core.statements import Insert, Select, Update

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
    lambda seq, hash, key_id: (
        AuditHead.objects.filter(pk=1),
        {"seq": seq, "hash": hash, "key_id": key_id},
    ),
    seq=int,
    hash=str,
    key_id=str,
)


class AuditRefused(Exception):
    """An operation on the log that would hide a problem (pruning or rotating over a chain that
    does not verify) or make no sense (rotating onto the key in use)."""


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
    """Append one entry to the chain (ids and registered codes only, never contents)."""
    fields = _fields(actor, action, object_type, object_id, patron_id, data_kind, reason)
    with transaction.atomic(savepoint=False):  # inside the change's own transaction
        return _append(_locked_head(), fields)


def _fields(actor: Actor, action, object_type, object_id, patron_id, data_kind, reason) -> dict:
    reasons.check(reason, action)
    data_kinds.check(data_kind, action)
    return {
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_role": actor.role,
        "workstation": actor.workstation,
        "branch": actor.branch,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "patron_id": patron_id,
        "data_kind": data_kind,
        "reason": reason,
    }


def _locked_head() -> AuditHead:
    head = HEAD.first()
    if head is None:
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _append(head: AuditHead, fields: dict, next_key_id: str = "") -> AuditEntry:
    """Sign the entry with the head's key and move the head; `next_key_id` moves the head onto
    another key (a rotation: this entry is the last one the old key signs)."""
    key_id = head.key_id or keys.current_id()
    entry = AuditEntry(seq=head.seq + 1, at=clock.now(), prev_hash=head.hash, **fields)
    entry.hash = chain.entry_mac(entry, keys.get(key_id, "the audit log's newest entry"))
    NEW_ENTRY.save(entry)
    MOVE_HEAD.run(seq=entry.seq, hash=entry.hash, key_id=next_key_id or key_id)
    return entry


@dataclass(frozen=True)
class Opening:
    """The entry that began a scope of reads (a serving context's opening, a guardian's
    sign-in): the newest entry of `action` about `patron_id` by this actor at this
    workstation."""

    action: str
    actor_kind: str
    actor_id: str
    workstation: str
    patron_id: int


def kinds_read_since(
    opening: Opening, actor: Actor, action: str, patron_id: int, object_id: object
) -> set[str]:
    """The kinds of this patron's data this actor's reads (`action`, about `object_id`) have
    recorded since the opening, in one query: a reader records each kind once per scope.
    Without an opening in the log, nothing counts as recorded."""
    opened = AuditEntry.objects.filter(
        action=opening.action,
        patron_id=opening.patron_id,
        actor_kind=opening.actor_kind,
        actor_id=opening.actor_id,
        workstation=opening.workstation,
    ).order_by("-seq")
    recorded = AuditEntry.objects.filter(
        seq__gt=Subquery(opened.values("seq")[:1]),
        patron_id=patron_id,
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        workstation=actor.workstation,
        object_id=str(object_id),
    )
    return set(recorded.values_list("data_kind", flat=True).distinct())


def prune(retention_days: int | None = None) -> int:
    """Delete entries past the retention period, leaving a signed checkpoint so that the rest
    (and every anchor) still verifies. A log that does not verify is not pruned: pruning would
    delete the evidence. (It is verified before the chain is locked, so the desk does not wait
    for the walk.)"""
    days = (
        retention_days if retention_days is not None else settings.LIBDESK["AUDIT_RETENTION_DAYS"]
    )
    cutoff = clock.now() - timedelta(days=days)
    old = AuditEntry.objects.filter(at__lt=cutoff).order_by("-seq")
    if not old.exists():
        return 0
    _refuse_unless_verified("pruned")
    with transaction.atomic():
        head = _locked_head()
        last = old.first()
        count = AuditEntry.objects.filter(seq__lte=last.seq).count()
        checkpoint = AuditCheckpoint(
            seq=last.seq,
            hash=last.hash,
            key_id=_key_after(last, head),
            pruned_at=clock.now(),
            entries_pruned=count,
        )
        checkpoint.mac = chain.checkpoint_mac(checkpoint, keys.get(checkpoint.key_id, "pruning"))
        checkpoint.save()
        AuditEntry.objects.filter(seq__lte=last.seq).delete()
        _append(head, _system("audit.prune", "checkpoint", last.seq))
        return count


def _key_after(entry: AuditEntry, head: AuditHead) -> str:
    """The key that signs the entry after this one: the key a later rotation moved away from,
    or the head's key when no rotation came later."""
    rotation = AuditEntry.objects.filter(seq__gt=entry.seq, action=ROTATE).order_by("seq").first()
    if rotation is None:
        return head.key_id or keys.current_id()
    return _signer(rotation)


def _signer(entry: AuditEntry) -> str:
    for key_id in keys.known_ids():
        if chain.same(chain.entry_mac(entry, keys.get(key_id, "")), entry.hash):
            return key_id
    raise AuditRefused(f"no audit key this node has signed entry {entry.seq}")


def rotate_key() -> str:
    """Move the log onto LIBDESK_AUDIT_KEY from the next entry: one entry, signed with the key
    in use, names the new key's id, so the change is part of the chain. Returns the new id."""
    new = keys.current_id()
    in_use = AuditHead.objects.filter(pk=1).values_list("key_id", flat=True).first() or new
    if in_use == new:
        raise AuditRefused(
            "LIBDESK_AUDIT_KEY is already the key in use: put the new key there and the old "
            "one in LIBDESK_AUDIT_OLD_KEYS on every node, restart them, then rotate"
        )
    keys.get(in_use, "the audit log's newest entry")  # the key that signs the move
    _refuse_unless_verified("moved onto a new key")
    with transaction.atomic():
        _append(_locked_head(), _system(ROTATE, "audit_key", new, reason=new), next_key_id=new)
    return new


def take_anchor() -> Anchor:
    """A signed checkpoint of the head for the privacy officer to keep away from the server.
    Taking one is itself an entry, and the anchor covers it."""
    with transaction.atomic():
        head = _locked_head()
        entry = _append(head, _system("audit.anchor", "audit_log", ""))
        key_id = keys.current_id()
        return Anchor.sign(entry.seq, entry.hash, clock.now(), key_id, keys.get(key_id, "anchor"))


def _system(action: str, object_type: str, object_id: object, reason: str = "") -> dict:
    return _fields(Actor.system("audit"), action, object_type, object_id, None, "", reason)


def _refuse_unless_verified(what: str) -> None:
    result = verify(mid_rotation=True)
    if not result.ok:
        raise AuditRefused(
            f"the audit log does not verify ({'; '.join(result.problems)}): it was not {what}"
        )
