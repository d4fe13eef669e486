"""Anchors: signed checkpoints of the chain's head that the privacy officer keeps away from the
server (`libdesk audit anchor`), and that `libdesk audit verify --anchor FILE` checks.

Whoever controls the server could rewrite the whole log with the key, or cut its newest
entries and move the head back; an anchor kept elsewhere still names the entry that was at the
head when it was taken, and its hash, so either fails. The anchor is signed with the audit key
(an HMAC, like the entries) so that an anchor edited by hand, or taken from another library,
is refused: its worth comes from where it is kept, not from who can check it, and every node
that verifies has the key already.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from libdesk.audit import chain

FORMAT = "libdesk audit anchor 1"
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX16 = re.compile(r"[0-9a-f]{16}")
LARGEST = 2**63 - 1


class AnchorError(ValueError):
    """A file that is not a readable anchor; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Anchor:
    """Entry `seq` had hash `hash` at `at`; `mac` signs all four with the key `key_id`."""

    seq: int
    hash: str
    at: datetime
    key_id: str
    mac: str
    source: str = ""

    @classmethod
    def sign(cls, seq: int, head_hash: str, at: datetime, key_id: str, key: bytes) -> Anchor:
        return cls(seq, head_hash, at, key_id, chain.anchor_mac(seq, head_hash, at, key_id, key))

    def signed_by(self, key: bytes) -> bool:
        return chain.same(
            chain.anchor_mac(self.seq, self.hash, self.at, self.key_id, key), self.mac
        )

    def name(self) -> str:
        where = f"{self.source} " if self.source else ""
        taken = self.at.astimezone(UTC)
        return f"anchor {where}(entry {self.seq}, taken {taken:%Y-%m-%d %H:%M:%S} UTC)"

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "seq": self.seq,
                "hash": self.hash,
                "at": self.at.isoformat(timespec="microseconds"),
                "key_id": self.key_id,
                "mac": self.mac,
            },
            indent=2,
        )

    @classmethod
    def parse(cls, text: str, source: str) -> Anchor:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise AnchorError(f"{source}: not an anchor (not JSON: {exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise AnchorError(f'{source}: not an anchor (no "format": "{FORMAT}")')
        return cls(
            seq=_field(data, "seq", source, lambda v: type(v) is int and 0 < v <= LARGEST),
            hash=_field(data, "hash", source, lambda v: isinstance(v, str) and HEX64.fullmatch(v)),
            at=_time(data, source),
            key_id=_field(
                data, "key_id", source, lambda v: isinstance(v, str) and HEX16.fullmatch(v)
            ),
            mac=_field(data, "mac", source, lambda v: isinstance(v, str) and HEX64.fullmatch(v)),
            source=source,
        )


def _field(data: dict, name: str, source: str, valid) -> object:
    value = data.get(name)
    if not valid(value):
        raise AnchorError(f"{source}: {name!r} is missing or malformed")
    return value


def _time(data: dict, source: str) -> datetime:
    value = data.get("at")
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise AnchorError(f"{source}: 'at' is missing or not a time with its zone")
    return at
