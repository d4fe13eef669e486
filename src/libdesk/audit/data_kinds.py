"""The kinds of patron data a read names (never the data itself), and how the patron's access
log says each, in the patron's language.

The log keeps the code; the patron reads the words. `record` refuses a kind that is not
registered, so no patron is ever shown a raw code. An app that reads a new kind of data
registers it here (or with `register` from its own module, at import time).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class UnregisteredDataKind(ValueError):
    """A kind of data with no words for the patron: a programming error."""

    def __init__(self, data_kind: str, action: str) -> None:
        super().__init__(
            f"audit entry {action!r}: kind of data {data_kind[:40]!r} is not registered; "
            "register it with libdesk.audit.data_kinds.register and the words the patron reads"
        )


@dataclass(frozen=True)
class DataKind:
    code: str
    label: Promise


_KINDS: dict[str, DataKind] = {}


def register(code: str, label: Promise, *, old_spellings: tuple[str, ...] = ()) -> DataKind:
    """Add a kind of data; `old_spellings` are what entries written before it had a code say
    (they keep verifying as written, and are shown in the same words)."""
    kind = DataKind(code, label)
    for spelling in (code, *old_spellings):
        _KINDS[spelling] = kind
    return kind


def check(data_kind: str, action: str) -> None:
    if data_kind and data_kind not in _KINDS:
        raise UnregisteredDataKind(data_kind, action)


def registered() -> list[DataKind]:
    return list({kind.code: kind for kind in _KINDS.values()}.values())


def label(data_kind: str) -> Promise:
    """The words for a kind of data; one missing from the registry (an entry of a kind since
    removed) is shown as the patron's record in general, never as a code."""
    kind = _KINDS.get(data_kind)
    return kind.label if kind else _("your record")


PROFILE = register("profile", _("your name, card and contact details"))
CONTACT = register("contact", _("your contact details"))
FAMILY = register("family", _("your guardians or the children in your care"))
LOANS = register("loans", _("your loans"))
HOLDS = register("holds", _("your holds"))
FEES = register("fees", _("your fees"))
REQUESTS = register("requests", _("your interlibrary loan requests and purchase suggestions"))
HISTORY = register("history", _("your reading history"))
CONSENTS = register("consents", _("what you agreed to"))
CORRECTIONS = register("corrections", _("your requests to correct your record"))
ACCESS_LOG = register("access_log", _("who looked at your record"))
ACCOUNT_OPENED = register(
    "account_opened",
    _("account opened at the desk"),
    old_spellings=("account opened at the desk",),
)
CURRENT_BORROWER = register(
    "current_borrower",
    _("that you have an item: current borrower"),
    old_spellings=("current borrower of an item",),
)
