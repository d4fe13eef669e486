"""Importing MARC files into the catalogue.

Each batch is one transaction: records, identifiers, outbox rows and one audit entry commit
together, so a killed import leaves whole batches only, and running it again updates what
is there (matching 001+003, or the LCCN for a record without a 001) instead of duplicating.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction

from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.catalog import bulk
from libdesk.catalog.derive import STORED, Derived
from libdesk.catalog.marc import Parsed, open_marc, read_xml, split_iso2709
from libdesk.catalog.models import Record, RecordIdentifier, Work
from libdesk.catalog.preparing import exit_with_parent, prepare, prepare_raw_batch
from libdesk.catalog.search.follower import index_along
from libdesk.core import clock
from libdesk.core.planner import refresh_statistics

BATCH = 1000
IN_FLIGHT = 4  # batches being prepared ahead of the one being stored: memory stays flat
PARSERS = 2  # worker processes that parse and derive
RECORD_FIELDS = ["control_number", "control_source", "marc", "work", *STORED, "updated_at"]


@dataclass
class Summary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    cleaned: int = 0  # stored with forbidden characters replaced, each one a warning
    fraction: float = 0.0  # how far through the file, for the progress bar's ETA
    rejects_path: Path | None = None
    warnings_path: Path | None = None

    def line(self) -> str:
        where = f"; rejects in {self.rejects_path}" if self.rejected else ""
        if self.cleaned:
            where += f"; warnings in {self.warnings_path}"
        return (
            f"read {self.read}, created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}, cleaned {self.cleaned}"
            f"{where}"
        )


def _report_folder(source: Path) -> Path:
    """Beside the input, or under the data directory's imports/ when the input's folder
    cannot be written or is marked read-only (no write bit: root may write anywhere, but a
    folder of shared data marked read-only stays untouched)."""
    folder = source.parent
    if os.access(folder, os.W_OK) and folder.stat().st_mode & 0o222:
        return folder
    return _imports_dir()


class Rejects:
    """`<input>.rejects.jsonl` and `.rejects.mrc`, in the report folder."""

    def __init__(self, source: Path) -> None:
        folder = _report_folder(source)
        self.jsonl_path = folder / f"{source.name}.rejects.jsonl"
        self.mrc_path = folder / f"{source.name}.rejects.mrc"
        self._jsonl = self._mrc = None

    def add(self, parsed: Parsed) -> None:
        if self._jsonl is None:
            self._jsonl = self.jsonl_path.open("w", encoding="utf-8")
            self._mrc = self.mrc_path.open("wb")
        entry = {
            "record": parsed.number,
            "offset": parsed.offset,
            "control_number": parsed.control_number,
            "reason": parsed.reason,
        }
        self._jsonl.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._mrc.write(parsed.raw)

    def close(self) -> None:
        for handle in (self._jsonl, self._mrc):
            if handle is not None:
                handle.close()


class Warnings:
    """`<input>.warnings.jsonl`, in the report folder: one line per value of a stored
    record in which forbidden characters were replaced (which record, which field, what
    was found where, and what replaced it)."""

    def __init__(self, source: Path) -> None:
        self.path = _report_folder(source) / f"{source.name}.warnings.jsonl"
        self._handle = None

    def add(self, parsed: Parsed) -> None:
        if self._handle is None:
            self._handle = self.path.open("w", encoding="utf-8")
        control_number = parsed.key[0] if parsed.key else None
        for repair in parsed.repairs:
            entry = {
                "record": parsed.number,
                "offset": parsed.offset,
                "control_number": control_number or None,
                **repair.as_dict(),
            }
            self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def _imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportInterrupted(Exception):
    """Ctrl-C during an import: the batches committed so far stay (`summary` counts them),
    and running the same import again finishes it (stored records match, nothing doubles)."""

    def __init__(self, summary: Summary) -> None:
        super().__init__("import interrupted")
        self.summary = summary

    @property
    def kept(self) -> int:
        return self.summary.created + self.summary.updated + self.summary.unchanged


def import_file(path: Path, *, progress: Callable[[Summary], None] | None = None) -> Summary:
    summary = Summary()
    rejects, warnings = Rejects(path), Warnings(path)
    try:
        with index_along() as along:
            _import_batches(path, summary, (rejects, warnings), along, progress)
    except KeyboardInterrupt:
        raise ImportInterrupted(summary) from None
    finally:
        rejects.close()
        warnings.close()
    # The planner's statistics, refreshed after a large load (core/planner.py says why).
    refresh_statistics(Record, Work, RecordIdentifier, written=summary.created + summary.updated)
    if summary.rejected:
        summary.rejects_path = rejects.jsonl_path
    if summary.cleaned:
        summary.warnings_path = warnings.path
    return summary


def _import_batches(path, summary, reports, along, progress) -> None:
    rejects, warnings = reports
    # Closed on any exit, an interrupt too, so that its worker processes stop at once.
    with closing(prepared_batches(path, summary)) as batches:
        for number, batch in enumerate(batches, start=1):
            good = []
            for parsed in batch:
                summary.read += 1
                if parsed.reason:
                    summary.rejected += 1
                    rejects.add(parsed)
                    continue
                if parsed.repairs:
                    summary.cleaned += 1
                    warnings.add(parsed)
                good.append(parsed)
            created, updated = store_batch(
                good, label=f"{path.name}#{number}", outbox=along.covered
            )
            # Counted as soon as committed: an interrupt while indexing still reports them.
            summary.created += len(created)
            summary.updated += len(updated)
            summary.unchanged += len(good) - len(created) - len(updated)
            along.add(created, updated)
            if progress:
                progress(summary)


def _batches(items: Iterable) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def prepared_batches(path: Path, summary: Summary | None = None) -> Iterator[list[Parsed]]:
    """Batches of parsed, checked and derived records, in file order.

    For ISO 2709 one worker process parses and derives while this process stores and
    indexes, with a few batches in flight; MARCXML is prepared here.
    """
    handle, kind, raw = open_marc(path)
    size = max(path.stat().st_size, 1)

    def done(batch: list[Parsed]) -> list[Parsed]:
        if summary is not None:
            summary.fraction = min(raw.tell() / size, 1.0)
        return batch

    with handle:
        if kind == "xml":
            for batch in _batches(read_xml(handle)):
                yield done([prepare(parsed) for parsed in batch])
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=PARSERS,
            mp_context=context,
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            pending: deque = deque()
            try:
                for raw_batch in _batches(split_iso2709(handle)):
                    pending.append(pool.submit(prepare_raw_batch, raw_batch))
                    if len(pending) >= IN_FLIGHT:
                        yield done(pending.popleft().result())
                while pending:
                    yield done(pending.popleft().result())
            except BaseException:
                # Interrupted or failed: drop the batches not started rather than wait for them.
                pool.shutdown(wait=False, cancel_futures=True)
                raise


def store_batch(
    parsed: list[Parsed], *, label: str, outbox: list[int] | None = None
) -> tuple[list[Record], list[Record]]:
    """Upsert one batch of good records in one transaction; returns (created, updated).
    A record whose stored MARC is byte-for-byte the same is left alone. The ids of the outbox
    rows written for them are appended to `outbox` (an import indexing along skips them)."""
    if not parsed:
        return [], []
    now = clock.now()
    with transaction.atomic():
        existing = _existing(parsed)
        parsed = [p for p in parsed if not _same(existing.get(p.key), p)]
        derived = [(p, p.derived) for p in parsed]
        works = _works({d.work_key for _, d in derived})
        to_create, to_update, seen = [], [], {}
        for item, values in derived:
            key = item.key
            record = seen.get(key) or existing.get(key)
            fresh = record is None
            record = record or Record()
            _fill(record, item, values, works[values.work_key], now)
            if fresh and key not in seen:
                to_create.append(record)
            elif not fresh and record not in to_update:
                to_update.append(record)
            seen[key] = record
        bulk.insert_records(to_create)
        Record.objects.bulk_update(to_update, RECORD_FIELDS, batch_size=500)
        ids = [r.pk for r in (*to_create, *to_update)]
        _replace_identifiers(to_create, to_update)
        written = bulk.insert_outbox(ids)
        if outbox is not None:
            outbox.extend(written)
        audit.record(
            Actor.system("catalog import"),
            "catalog.import.batch",
            object_type="import",
            object_id=label,
            reason=f"{len(to_create)} new, {len(to_update)} updated",
        )
    return to_create, to_update


def _same(record: Record | None, parsed: Parsed) -> bool:
    return record is not None and bytes(record.marc) == parsed.stored_marc


def _existing(parsed: list[Parsed]) -> dict[tuple[str, str, str], Record]:
    keys = [p.key for p in parsed]
    controls = {k[0] for k in keys if k[0]}
    lccns = {k[2] for k in keys if not k[0] and not k[2].startswith("#")}
    found: dict[tuple[str, str, str], Record] = {}
    for record in Record.objects.filter(control_number__any_of=controls):
        found[(record.control_number, record.control_source, "")] = record
    for record in Record.objects.filter(control_number="", lccn__any_of=lccns):
        found[("", "", record.lccn)] = record
    return found


def _works(keys: set[str]) -> dict[str, int]:
    """Each work key's id, the missing works created (ids only: no instance is needed)."""
    works = dict(Work.objects.filter(key__any_of=keys).values_list("key", "pk"))
    missing = [Work(key=k) for k in keys if k not in works]
    Work.objects.bulk_create(missing, ignore_conflicts=True)
    if missing:
        found = Work.objects.filter(key__any_of=[m.key for m in missing]).values_list("key", "pk")
        works.update(found)
    return works


def _fill(record: Record, parsed: Parsed, values: Derived, work_id: int, now) -> None:
    control, source, _ = parsed.key
    record.control_number, record.control_source = control, source
    record.marc = parsed.stored_marc
    record.work_id = work_id
    for name in STORED:
        setattr(record, name, getattr(values, name))
    record.updated_at = now


def _replace_identifiers(created: list[Record], updated: list[Record]) -> None:
    if updated:
        RecordIdentifier.objects.filter(record__in=updated).delete()
    bulk.insert_identifiers(
        (r.pk, value)
        for r in (*created, *updated)
        for value in sorted({*r.isbns, *(i.replace("-", "") for i in r.issns), r.lccn})
        if value
    )
