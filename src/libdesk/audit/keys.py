"""The audit key ring: the key that signs new entries and anchors, and the keys that signed
older parts of the log.

The keys live outside the database (settings: `LIBDESK_AUDIT_KEY` or `<data dir>/audit_key`,
and `LIBDESK_AUDIT_OLD_KEYS`), so that someone who can change the database cannot recompute
the chain. The database names a key only by its id, a keyed digest that tells nothing about
the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID_LENGTH = 16


class MissingKey(ImproperlyConfigured):
    """The log names a key this node was not given: nothing can be signed or checked with it."""

    def __init__(self, key_id: str, what: str) -> None:
        super().__init__(
            f"{what} is signed with audit key {key_id}, which this node does not have: set "
            "LIBDESK_AUDIT_KEY, or LIBDESK_AUDIT_OLD_KEYS for a key rotated out "
            '(docs/configuration.md, "The audit key")'
        )
        self.key_id = key_id


def key_id(key: bytes) -> str:
    """A key's public name: it identifies the key without revealing it."""
    return hmac.new(key, b"libdesk audit key id", hashlib.sha256).hexdigest()[:KEY_ID_LENGTH]


@lru_cache(maxsize=4)
def _ring(current: str, old: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    keys = [current.encode(), *(k.encode() for k in old)]
    return key_id(keys[0]), {key_id(k): k for k in reversed(keys)}


def current_id() -> str:
    """The id of LIBDESK_AUDIT_KEY: new anchors are signed with it, and a rotation moves the
    log onto it."""
    return _ring(settings.AUDIT_KEY, tuple(settings.AUDIT_OLD_KEYS))[0]


def find(wanted: str) -> bytes | None:
    """The key with this id, if this node has it."""
    return _ring(settings.AUDIT_KEY, tuple(settings.AUDIT_OLD_KEYS))[1].get(wanted)


def get(wanted: str, what: str) -> bytes:
    """The key with this id, or MissingKey naming what needed it."""
    key = find(wanted)
    if key is None:
        raise MissingKey(wanted, what)
    return key


def known_ids() -> list[str]:
    return list(_ring(settings.AUDIT_KEY, tuple(settings.AUDIT_OLD_KEYS))[1])
