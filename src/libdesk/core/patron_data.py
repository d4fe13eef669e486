"""The registry every kind of patron data joins: for each patron-linked table, how to export a
patron's rows, what closing the account does to them, and how long they are kept.

Patrons' rights (PRIVACY.md) hold only if nothing is forgotten: "download my data" must show
everything libdesk holds about a patron, closing the account must reach every table, and the
retention purge must bound every one. So each app registers, for each patron-linked model it
owns, a `PatronDataKind` (in its `apps.py` ready(), or a module that imports), and a test finds
every patron-linked model (a foreign key to a patron, or to a model that has one) and fails if
one is not registered: a new table cannot be added without saying how it is exported, closed
and purged (docs/privacy.md, "Adding patron-linked data").

Core imports no app: the kinds arrive from above, as the housekeeping hooks do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.functional import Promise


class Closing(StrEnum):
    """What closing the account does to a kind's rows."""

    DELETE = "delete"  # the rows go
    UNLINK = "unlink"  # the rows stay for anonymous statistics, without the patron
    KEEP = "keep"  # the rows stay as they are, because they name no patron by themselves
    # (they follow another kind, such as a payment its fee) or by law (the audit log, ids only,
    # pruned past its own retention period)


@dataclass(frozen=True)
class Retention:
    """How long a kind's rows are kept. `setting` is the LIBDESK setting that bounds it ("" when
    the rows are kept only while something the patron controls stands: the account, their
    consent); `purge()` removes what is past it and answers how many rows it removed (None when
    nothing is kept past its purpose: the rows go when it ends)."""

    text: str | Promise
    setting: str = ""
    purge: Callable[[], int] | None = None


@dataclass(frozen=True)
class PatronDataKind:
    """One kind of patron data: the model that holds it and what each right does to it.

    - `rows(patron_id)` is every row of `model` that concerns the patron (with what
      `export_row` reads, selected, so an export costs a query per kind);
    - `export_row(row, patron_id)` is one row in words the patron `patron_id` understands
      (a row can concern two patrons, as a guardian link does, and reads differently from
      each side): plain JSON, never another patron's data beyond what this patron may see,
      never a secret (PIN or token hashes), never a member of staff beyond role and branch;
    - `resource` is the access-table resource whose "read" shows the kind to its reader: an
      export checks every kind's;
    - `closing` says what closing the account does, `closing_text` says it to the patron
      before they confirm, and `close(patron_id)` does it (by default for DELETE, deleting
      `rows`), answering how many rows it changed;
    - `order`: kinds close in ascending order (the patron's record itself closes last).
    """

    name: str
    label: str | Promise
    model: type[models.Model]
    resource: str
    rows: Callable[[int], models.QuerySet]
    export_row: Callable[[Any, int], dict[str, Any]]
    closing: Closing
    closing_text: str | Promise
    retention: Retention
    close: Callable[[int], int] | None = None
    order: int = 0

    def __post_init__(self) -> None:
        if self.close is None and self.closing == Closing.UNLINK:
            raise ValueError(f"patron data {self.name!r} unlinks on closing: give `close`")

    def export(self, patron_id: int) -> list[dict[str, Any]]:
        return [self.export_row(row, patron_id) for row in self.rows(patron_id)]

    def apply_closing(self, patron_id: int) -> int:
        """Do what closing the account does to this kind; answers the rows changed."""
        if self.close is not None:
            return self.close(patron_id)
        if self.closing == Closing.DELETE:
            return self.rows(patron_id).delete()[0]
        return 0  # KEEP


_KINDS: dict[str, PatronDataKind] = {}


def register(kind: PatronDataKind) -> PatronDataKind:
    """Add a kind; registering the same one again (a second ready()) changes nothing."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"patron data {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[PatronDataKind]:
    """Every registered kind, in closing order (then by name, so exports read the same)."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.name))


def kind_named(name: str) -> PatronDataKind:
    return _KINDS[name]


def registered_models() -> set[type[models.Model]]:
    return {kind.model for kind in _KINDS.values()}


def unregistered(found: Iterable[type[models.Model]]) -> list[str]:
    """The models among `found` that no kind covers, as "app_label.Model" names."""
    covered = registered_models()
    return sorted(m._meta.label for m in found if m not in covered)


def export(patron_id: int) -> list[dict[str, Any]]:
    """Every kind's rows about the patron, as sections of plain JSON. The caller checks who may
    read them (the rights app's `export_for`)."""
    return [
        {
            "kind": kind.name,
            "title": str(kind.label),
            "how_long_it_is_kept": str(kind.retention.text),
            "when_you_close_your_account": str(kind.closing_text),
            "rows": kind.export(patron_id),
        }
        for kind in sorted(_KINDS.values(), key=lambda kind: kind.name)
    ]


def close(patron_id: int) -> dict[str, int]:
    """Apply every kind's closing rule, in order; answers the rows each changed. Runs inside
    the closing service's transaction, so either every rule applies or none does."""
    return {kind.name: kind.apply_closing(patron_id) for kind in kinds()}


def purges() -> dict[str, Callable[[], int]]:
    """The purge of every kind that has one, by kind name (`libdesk privacy purge`)."""
    return {kind.name: kind.retention.purge for kind in kinds() if kind.retention.purge}
