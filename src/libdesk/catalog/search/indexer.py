"""Applying catalogue changes to the search index: the outbox drain and the full rebuild."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from libdesk.catalog.derive import clean, fold
from libdesk.catalog.models import Item, ItemStatus, OutboxEntry, Record
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


def drain_outbox(*, wait: bool = True) -> int:
    """Apply every pending outbox entry; returns how many records were (re)indexed.

    With wait=False, returns -1 at once if another process holds the index writer."""
    search = engine()
    total = 0
    with search.writer(wait=wait) as writer:
        if writer is None:
            return -1
        while True:
            entries = list(OutboxEntry.objects.order_by("pk")[:DRAIN_BATCH])
            if not entries:
                break
            ids = sorted({e.record_id for e in entries})
            docs, removed = documents(ids)
            search.write(writer, docs, removed)
            with transaction.atomic():
                OutboxEntry.objects.filter(pk__lte=entries[-1].pk).delete()
            total += len(ids)
    return total


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
    """Indexes records as an import stores them, holding the one writer meanwhile. The index
    is committed every COMMIT_EVERY records, and only then are those records' outbox rows
    dropped: a killed import leaves outbox rows for whatever the index had not committed."""

    COMMIT_EVERY = 20_000

    def __init__(self, search: TantivyEngine, writer) -> None:
        self.search, self.writer, self.pending = search, writer, []

    def add(self, created: list[Record], updated: list[Record]) -> None:
        """Index records an import just stored, from the objects in hand rather than read
        back; only records that existed before can have items."""
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
        for start in range(0, len(self.pending), 900):
            chunk = self.pending[start : start + 900]
            OutboxEntry.objects.filter(record_id__in=chunk).delete()
        self.pending = []


@contextmanager
def index_along() -> Iterator[IndexAlong]:
    search = engine()
    with search.writer() as writer:
        along = IndexAlong(search, writer)
        yield along
        along.flush()


def wait_until_indexed(timeout: float = 300) -> bool:
    """Drain the outbox here, or wait for the process that holds the writer to drain it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if drain_outbox(wait=False) >= 0 and not OutboxEntry.objects.exists():
            return True
        if not OutboxEntry.objects.exists():
            return True
        time.sleep(0.2)
    return False


def rebuild() -> int:
    """Reindex every record from the database (`libdesk catalog reindex`)."""
    search = engine()
    count = 0
    with search.writer() as writer:
        search.clear(writer)
        ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), DRAIN_BATCH):
            docs, _ = documents(ids[start : start + DRAIN_BATCH])
            search.write(writer, docs, [])
            count += len(docs)
        OutboxEntry.objects.filter(record_id__in=ids).delete()
    return count
