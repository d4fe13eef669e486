"""Index documents from catalogue records, and the import's indexing as it stores records
(the outbox and each node's cursor: catalog/search/follower.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings

from libdesk.catalog.derive import clean, fold
from libdesk.catalog.models import Item, ItemStatus, Record
from libdesk.catalog.search.engine import IndexDoc, TantivyEngine

DRAIN_BATCH = 5000


@cache
def _engine_at(path: str) -> TantivyEngine:
    return TantivyEngine(Path(path))


def engine() -> TantivyEngine:
    return _engine_at(str(settings.LIBDESK["SEARCH_DIR"]))


def documents(record_ids: list[int]) -> tuple[list[IndexDoc], list[int]]:
    """Index documents for these records; ids no longer in the database are to be removed."""
    records = {r.pk: r for r in Record.objects.filter(pk__in=record_ids).defer("marc")}
    available, barcodes = _items_of(list(records))
    docs = [
        _document(r, sorted(available.get(r.pk, ())), [*_identifiers(r), *barcodes.get(r.pk, [])])
        for r in records.values()
    ]
    return docs, [pk for pk in record_ids if pk not in records]


def _document(record: Record, available_at: list[str], idents: list[str]) -> IndexDoc:
    return IndexDoc(
        id=record.pk,
        title=fold(" ".join(filter(None, [record.title, record.subtitle]))),
        author=fold(" ".join([*record.authors, record.responsibility])),
        subject=fold(" ".join(record.subjects)),
        series=fold(" ".join(record.series)),
        notes=fold(record.notes),
        idents=[*idents, record.control_number.lower()],
        material_type=record.material_type,
        language=record.language,
        audience=record.audience,
        subject_facets=[clean(s.split(" -- ")[0]) for s in record.subjects][:10],
        available_at=available_at,
        year=record.year,
        title_sort=fold(record.title)[:100],
        author_sort=fold(record.authors[0])[:100] if record.authors else "",
    )


def _identifiers(record: Record) -> list[str]:
    values = [*record.isbns, *(i.replace("-", "") for i in record.issns), record.lccn]
    return [v.lower() for v in values if v]


def _items_of(record_ids: list[int]) -> tuple[dict[int, set[str]], dict[int, list[str]]]:
    """Branches with an available copy, and every barcode, per record."""
    available: dict[int, set[str]] = defaultdict(set)
    barcodes: dict[int, list[str]] = defaultdict(list)
    rows = Item.objects.filter(record_id__in=record_ids).values_list(
        "record_id", "branch__code", "status", "barcode"
    )
    for record_id, branch, status, barcode in rows:
        barcodes[record_id].append(barcode)
        if status == ItemStatus.AVAILABLE:
            available[record_id].add(branch)
    return available, barcodes


class IndexAlong:
    """Indexes records as an import stores them, holding this node's writer meanwhile. The
    index is committed every COMMIT_EVERY records, and then `caught_up(outbox ids)` applies the
    rest of the outbox past the rows the import wrote (catalog/search/follower.py): a killed
    import leaves the node's cursor where the index last committed."""

    COMMIT_EVERY = 20_000

    def __init__(
        self, search: TantivyEngine, writer, caught_up: Callable[[list[int]], None]
    ) -> None:
        self.search, self.writer, self.caught_up = search, writer, caught_up
        self.pending: list[int] = []
        self.covered: list[int] = []

    def add(self, created: list[Record], updated: list[Record]) -> None:
        """Index records an import just stored, from the objects in hand rather than read
        back; only records that existed before can have items. Their outbox rows' ids go in
        `covered` (store_batch appends them)."""
        records = [*created, *updated]
        if not records:
            return
        available, barcodes = _items_of([r.pk for r in updated]) if updated else ({}, {})
        docs = [
            _document(
                r, sorted(available.get(r.pk, ())), [*_identifiers(r), *barcodes.get(r.pk, [])]
            )
            for r in records
        ]
        self.search.write(self.writer, docs, [])
        self.pending.extend(r.pk for r in records)
        if len(self.pending) >= self.COMMIT_EVERY:
            self.flush()

    def flush(self) -> None:
        self.writer.commit()
        self.caught_up(self.covered)
        self.pending, self.covered = [], []
