"""Items (copies): the CSV import and staff edits. Every change writes an outbox row in its
own transaction, so the "available now" facet follows within seconds."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.catalog import reasons  # noqa: F401  (registers the catalogue's decision codes)
from libdesk.catalog.models import Item, ItemStatus, OutboxEntry, Record
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError
from libdesk.core.planner import refresh_statistics
from libdesk.library.models import Branch

CIRCULATION_STATUSES = {
    ItemStatus.ON_LOAN,
    ItemStatus.ON_HOLD_SHELF,
    ItemStatus.IN_TRANSIT,
    ItemStatus.CLAIMED_RETURNED,
    ItemStatus.WITHDRAWN,
}
COLUMNS = ["barcode", "control_number", "branch", "location", "call_number", "collection", "status"]


class ItemError(InputError):
    """A value on the item form the service cannot accept, naming its field."""


class ItemFileError(Exception):
    """Every problem in an items file, each with its line; nothing was stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ItemsSummary:
    created: int = 0
    updated: int = 0


def import_items_csv(path: Path, actor: Actor | None = None) -> ItemsSummary:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = rows and list(rows[0].keys())
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ItemFileError([f"{path}: cannot read the file ({exc})"]) from exc
    if not rows:
        raise ItemFileError([f"{path}: no rows (expected columns {', '.join(COLUMNS)})"])
    missing = [c for c in COLUMNS if c not in (header or [])]
    if missing:
        raise ItemFileError([f"{path}, line 1: missing columns: {', '.join(missing)}"])
    return store_items(rows, source=str(path), actor=actor)


def store_items(rows: list[dict], *, source: str, actor: Actor | None = None) -> ItemsSummary:
    branches = {b.code: b for b in Branch.objects.all()}
    wanted = {(r.get("control_number") or "").strip() for r in rows}
    records = {}
    for record in Record.objects.filter(control_number__in=wanted).only("pk", "control_number"):
        records.setdefault(record.control_number, record)
    problems, seen = [], set()
    for line, row in enumerate(rows, start=2):
        problems += _row_problems(row, line, source, branches, records, seen)
    if problems:
        raise ItemFileError(problems)
    summary = ItemsSummary()
    with transaction.atomic():
        existing = Item.objects.in_bulk([r["barcode"].strip() for r in rows], field_name="barcode")
        fresh, changed = [], []
        for row in rows:
            item = existing.get(row["barcode"].strip()) or Item(barcode=row["barcode"].strip())
            touched = {item.record_id} if item.pk else set()
            item.record = records[row["control_number"].strip()]
            item.branch = branches[row["branch"].strip()]
            item.location = row["location"].strip()
            item.call_number = row["call_number"].strip()
            item.collection = row["collection"].strip()
            item.status = (row["status"] or "available").strip()
            (changed if item.pk else fresh).append(item)
            touched.add(item.record_id)
        Item.objects.bulk_create(fresh, batch_size=1000)
        Item.objects.bulk_update(
            changed,
            ["record", "branch", "location", "call_number", "collection", "status"],
            batch_size=1000,
        )
        record_ids = {i.record_id for i in (*fresh, *changed)}
        OutboxEntry.objects.bulk_create(OutboxEntry(record_id=pk) for pk in record_ids)
        audit.record(
            actor or Actor.system("items import"),
            "catalog.items.import",
            object_type="import",
            object_id=Path(source).name,
            reason=f"{len(fresh)} new, {len(changed)} updated",
        )
        summary.created, summary.updated = len(fresh), len(changed)
    refresh_statistics(Item, written=summary.created + summary.updated)
    return summary


def _row_problems(row, line, source, branches, records, seen) -> list[str]:
    where = f"{source}, line {line}"
    barcode = (row.get("barcode") or "").strip()
    problems = []
    if not barcode:
        problems.append(f"{where}: barcode is empty")
    elif barcode in seen:
        problems.append(f"{where}: barcode {barcode} appears twice in the file")
    seen.add(barcode)
    if (row.get("control_number") or "").strip() not in records:
        problems.append(f"{where}: no record has control number {row.get('control_number')!r}")
    if (row.get("branch") or "").strip() not in branches:
        problems.append(f"{where}: no branch has the code {row.get('branch')!r}")
    if (row.get("status") or "available").strip() not in ItemStatus.values:
        problems.append(
            f"{where}: status {row.get('status')!r} is not one of {', '.join(ItemStatus.values)}"
        )
    return problems


def update_item(
    staff,
    workstation,
    item: Item,
    *,
    location: str,
    call_number: str,
    collection: str,
    status: str,
    branch: str,
) -> Item:
    """A cataloguer corrects an item. Statuses that circulation owns (on loan, on the hold
    shelf, in transit, claimed returned, withdrawn) change only through its services, and an
    item on loan or set aside for a hold keeps its status here: asking is refused with a
    Decision (Refused). A value that is not a status or a branch at all is an ItemError."""
    if status not in ItemStatus.values:
        raise ItemError("status", _("choose one of: %s") % ", ".join(ItemStatus.values))
    target = Branch.objects.filter(code=branch).first()
    if target is None:
        raise ItemError("branch", _("no branch has the code %s") % repr(branch))
    from libdesk.catalog.search.tasks import request_index_drain

    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        _refuse_circulation_status(item, status)
        item.location, item.call_number, item.collection = location, call_number, collection
        item.status, item.branch = status, target
        item.save()
        OutboxEntry.objects.create(record_id=item.record_id)
        audit.record(
            Actor.staff(staff, workstation),
            "catalog.item.update",
            object_type="item",
            object_id=item.pk,
            reason=status,
        )
        request_index_drain()
    return item


def _refuse_circulation_status(item: Item, wanted: str) -> None:
    """Read under the row lock, so a checkout that lands meanwhile is seen."""
    if wanted != item.status and (
        wanted in CIRCULATION_STATUSES or item.status in CIRCULATION_STATUSES
    ):
        raise Refused(
            Decision.refuse(
                "item_status_by_circulation",
                status=ItemStatus(item.status).label,
                wanted=ItemStatus(wanted).label,
            )
        )
