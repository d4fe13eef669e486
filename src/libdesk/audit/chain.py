"""What the audit key signs: each entry (chained to the one before), each checkpoint left by a
prune, and each anchor the privacy officer keeps.

Each is an HMAC-SHA256 over a canonical JSON list of its fields, prefixed by what it is, so a
signature made for one can never pass for another. Without the key, editing an entry and
recomputing every later hash gives hashes that do not verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from libdesk.audit.models import AuditCheckpoint, AuditEntry

GENESIS = "0" * 64


def _mac(key: bytes, what: bytes, fields: list[Any]) -> str:
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, what + b"\n" + canonical.encode(), hashlib.sha256).hexdigest()


def entry_fields(entry: AuditEntry) -> list[Any]:
    return [
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


def entry_mac(entry: AuditEntry, key: bytes) -> str:
    return _mac(key, b"entry", entry_fields(entry))


def checkpoint_mac(checkpoint: AuditCheckpoint, key: bytes) -> str:
    fields = [
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.key_id,
        checkpoint.pruned_at.isoformat(timespec="microseconds"),
        checkpoint.entries_pruned,
    ]
    return _mac(key, b"checkpoint", fields)


def anchor_mac(seq: int, head_hash: str, at: datetime, key_id: str, key: bytes) -> str:
    return _mac(key, b"anchor", [seq, head_hash, at.isoformat(timespec="microseconds"), key_id])


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
