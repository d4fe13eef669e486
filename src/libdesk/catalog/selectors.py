"""Catalogue reads: search with facets, straight-to-record lookups, exact availability."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Q

from libdesk.catalog.derive import isbn13, normalise_lccn
from libdesk.catalog.models import Item, ItemStatus, Record, RecordIdentifier
from libdesk.catalog.search.engine import SearchRequest
from libdesk.catalog.search.indexer import engine
from libdesk.catalog.search.query import parse
from libdesk.library.models import Branch

ISBN_LIKE = re.compile(r"^(?:isbn:?\s*)?([0-9][0-9\- ]{8,16}[0-9Xx])$", re.IGNORECASE)
LCCN_LIKE = re.compile(r"^(?:lccn:?\s*)?([a-z]{0,3}\s?\d{2,4}-?\d{1,6})$", re.IGNORECASE)
BARCODE_LIKE = re.compile(r"^\d{8,20}$")
FILTERS = ("material_type", "language", "audience", "subject", "available_at")


@dataclass
class Availability:
    branch: str
    available: int
    total: int


@dataclass
class SearchResult:
    total: int
    records: list[Record]
    availability: dict[int, list[Availability]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    exact: bool = False
    relaxed: bool = False  # nothing had every word: these have any of them


def identifier_lookup(text: str) -> list[int]:
    """Records carrying an ISBN, LCCN or item barcode typed into the search box."""
    text = text.strip()
    values = set()
    if (match := ISBN_LIKE.match(text)) and (isbn := isbn13(match.group(1))):
        values.add(isbn)
    if match := LCCN_LIKE.match(text):
        values.add(normalise_lccn(match.group(1)))
    ids = set(RecordIdentifier.objects.filter(value__in=values).values_list("record_id", flat=True))
    if BARCODE_LIKE.match(text):
        ids |= set(Item.objects.filter(barcode=text).values_list("record_id", flat=True))
    return sorted(ids)


def search(
    text: str,
    *,
    filters: dict[str, str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    sort: str = "relevance",
    page: int = 1,
    limit: int = 20,
) -> SearchResult:
    filters = {k: v for k, v in (filters or {}).items() if v}
    if (ids := identifier_lookup(text)) and not filters:
        records = list(Record.objects.filter(pk__in=ids).defer("marc"))
        return SearchResult(len(records), records, availability(ids), exact=True)
    engine_filters = {("subject_facet" if k == "subject" else k): v for k, v in filters.items()}
    request = SearchRequest(
        parse(text), engine_filters, year_from, year_to, sort, (page - 1) * limit, limit
    )
    response = engine().search(request)
    relaxed = False
    if response.total == 0 and len(request.query.terms) > 1:
        request.require_all = False
        response, relaxed = engine().search(request), True
    by_id = Record.objects.defer("marc").in_bulk(response.ids)
    records = [by_id[i] for i in response.ids if i in by_id]
    return SearchResult(
        response.total, records, availability(response.ids), response.facets, relaxed=relaxed
    )


def availability(record_ids: list[int]) -> dict[int, list[Availability]]:
    """Copies per branch, read from the database so it is always exact."""
    rows = (
        Item.objects.filter(record_id__in=record_ids)
        .values_list("record_id", "branch_id")
        .annotate(total=Count("pk"), available=Count("pk", filter=Q(status=ItemStatus.AVAILABLE)))
        .order_by()
    )
    codes = dict(Branch.objects.values_list("pk", "code"))  # a few rows; no join per item
    result: dict[int, list[Availability]] = {pk: [] for pk in record_ids}
    for record_id, branch_id, total, available in sorted(
        rows, key=lambda row: (row[0], codes[row[1]])
    ):
        result[record_id].append(Availability(codes[branch_id], available, total))
    return result


def record_page(record_id: int) -> Record | None:
    return Record.objects.select_related("work").filter(pk=record_id).first()


def other_editions(record: Record) -> list[Record]:
    return list(record.work.records.exclude(pk=record.pk).defer("marc").order_by("-year")[:20])


def items_of(record: Record) -> list[Item]:
    return list(record.items.select_related("branch").order_by("branch__code", "barcode"))
