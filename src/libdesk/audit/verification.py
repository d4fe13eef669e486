"""Verifying the audit chain, and the anchors the privacy officer kept.

The walk starts at the newest checkpoint (its own signature checked) or at the first entry,
checks that each entry follows the one before and is signed with the key in effect (which
changes only at a recorded rotation), that the head is the last entry, and that the newest
entries are signed with LIBDESK_AUDIT_KEY. Each anchor must be signed with a key this node has
and name an entry the log still holds with the same hash, or one a signed checkpoint covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from libdesk.audit import chain, keys
from libdesk.audit.anchors import Anchor
from libdesk.audit.models import AuditCheckpoint, AuditEntry, AuditHead

ROTATE = "audit.key.rotate"


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    problems: tuple[str, ...] = ()
    seq: int | None = None  # the first entry that does not fit
    anchors_checked: int = 0

    @property
    def problem(self) -> str:
        return "; ".join(self.problems)


@dataclass
class _Walk:
    """Where the walk stands: the next entry expected, its prev_hash, the key that signs it."""

    seq: int = 1
    prev: str = chain.GENESIS
    key_id: str = ""  # unknown until the first entry, when no checkpoint says
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    bad_seq: int | None = None
    anchored: dict[int, str] = field(default_factory=dict)  # seq -> hash, for the anchors

    def fail(self, seq: int, problem: str) -> None:
        self.problems.append(problem)
        self.bad_seq = seq if self.bad_seq is None else self.bad_seq


def verify(anchors: Iterable[Anchor] = (), *, mid_rotation: bool = False) -> Verification:
    """`mid_rotation`: newest entries signed with a key other than LIBDESK_AUDIT_KEY are
    expected (a rotation under way, for the rotation itself and for pruning); otherwise they
    fail, since someone holding a retired key could otherwise have rewritten the log."""
    anchors = list(anchors)
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    walk = _start(checkpoint)
    if not walk.problems:
        _walk_entries(walk, {a.seq for a in anchors})
    if not walk.problems:
        _check_head(walk, mid_rotation)
    for anchor in anchors:
        _check_anchor(anchor, walk, checkpoint)
    return Verification(
        not walk.problems, walk.checked, tuple(walk.problems), walk.bad_seq, len(anchors)
    )


def _start(checkpoint: AuditCheckpoint | None) -> _Walk:
    if checkpoint is None:
        return _Walk()
    walk = _Walk(checkpoint.seq + 1, checkpoint.hash, checkpoint.key_id)
    key = keys.find(checkpoint.key_id)
    if key is None:
        walk.fail(checkpoint.seq, f"{_checkpoint(checkpoint)} {_missing(checkpoint.key_id)}")
    elif not chain.same(chain.checkpoint_mac(checkpoint, key), checkpoint.mac):
        walk.fail(checkpoint.seq, f"{_checkpoint(checkpoint)} was changed after it was written")
    return walk


def _walk_entries(walk: _Walk, anchored: set[int]) -> None:
    entries = AuditEntry.objects.filter(seq__gte=walk.seq).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        problem = _misfit(walk, entry)
        if problem:
            walk.fail(min(entry.seq, walk.seq), problem)
            return
        if entry.seq in anchored:
            walk.anchored[entry.seq] = entry.hash
        if entry.action == ROTATE:
            walk.key_id = entry.reason
        walk.seq, walk.prev = entry.seq + 1, entry.hash
        walk.checked += 1


def _misfit(walk: _Walk, entry: AuditEntry) -> str:
    """What is wrong with this entry where the walk stands, or nothing."""
    if entry.seq != walk.seq:
        return f"entry {walk.seq} is missing (the next is {entry.seq})"
    if entry.prev_hash != walk.prev:
        return f"entry {entry.seq} does not follow the entry before it"
    if not walk.key_id:  # the first entry of an unpruned log: any key this node has
        walk.key_id = next((k for k in keys.known_ids() if _signed(entry, keys.get(k, ""))), "")
        if not walk.key_id:
            return (
                f"entry {entry.seq} does not verify with any audit key this node has: it was "
                "changed after it was written, or its key is in neither LIBDESK_AUDIT_KEY nor "
                "LIBDESK_AUDIT_OLD_KEYS"
            )
    key = keys.find(walk.key_id)
    if key is None:
        return f"entry {entry.seq} {_missing(walk.key_id)}"
    if not _signed(entry, key):
        return f"entry {entry.seq} was changed after it was written"
    return ""


def _signed(entry: AuditEntry, key: bytes) -> bool:
    return chain.same(chain.entry_mac(entry, key), entry.hash)


def _check_head(walk: _Walk, mid_rotation: bool) -> None:
    head = AuditHead.objects.filter(pk=1).first()
    last = walk.seq - 1
    if head is None:
        if walk.checked:
            walk.fail(last, "the log's head is missing")
        return
    if head.seq > last:
        walk.fail(walk.seq, f"entries {walk.seq} to {head.seq} are missing")
    elif head.seq < last or head.hash != walk.prev:
        walk.fail(head.seq, f"the head (entry {head.seq}) is not the newest entry ({last})")
    elif walk.key_id and head.key_id != walk.key_id:
        walk.fail(last, f"the head names audit key {head.key_id}, the chain {walk.key_id}")
    elif walk.key_id and walk.key_id != keys.current_id() and not mid_rotation:
        walk.fail(
            last,
            f"the newest entries are signed with audit key {walk.key_id}, not LIBDESK_AUDIT_KEY "
            "(finish the rotation: libdesk audit rotate-key)",
        )


def _check_anchor(anchor: Anchor, walk: _Walk, checkpoint: AuditCheckpoint | None) -> None:
    key = keys.find(anchor.key_id)
    if key is None:
        walk.fail(anchor.seq, f"{anchor.name()} {_missing(anchor.key_id)}")
    elif not anchor.signed_by(key):
        walk.fail(anchor.seq, f"{anchor.name()}: its signature does not match (edited?)")
    elif checkpoint is not None and anchor.seq <= checkpoint.seq:
        if anchor.seq == checkpoint.seq and checkpoint.hash != anchor.hash:
            walk.fail(anchor.seq, f"{anchor.name()}: the checkpoint there has another hash")
    elif anchor.seq in walk.anchored:
        if walk.anchored[anchor.seq] != anchor.hash:
            walk.fail(
                anchor.seq,
                f"{anchor.name()}: entry {anchor.seq} is not the entry anchored "
                "(the log was rewritten up to there)",
            )
    elif walk.bad_seq is not None and anchor.seq >= walk.bad_seq:
        walk.fail(anchor.seq, f"{anchor.name()}: not checked, the chain breaks before it")
    else:
        walk.fail(
            anchor.seq,
            f"{anchor.name()}: the log ends at entry {walk.seq - 1}; entries were removed "
            "from its end, or its head moved back",
        )


def _checkpoint(checkpoint: AuditCheckpoint) -> str:
    return f"the checkpoint at entry {checkpoint.seq}"


def _missing(key_id: str) -> str:
    return (
        f"is signed with audit key {key_id}, which this node does not have "
        "(LIBDESK_AUDIT_KEY, LIBDESK_AUDIT_OLD_KEYS)"
    )
