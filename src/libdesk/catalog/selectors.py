"""Catalogue reads: search with facets, straight-to-record lookups, exact availability."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Q

from libdesk.catalog.derive import fold, isbn13, normalise_lccn
from libdesk.catalog.models import Item, ItemStatus, Record, RecordIdentifier
from libdesk.catalog.search.engine import SearchRequest
from libdesk.catalog.search.indexer import engine
from libdesk.catalog.search.query import WORD, parse
from libdesk.core.statements import Select

ISBN_LIKE = re.compile(r"^(?:isbn:?\s*)?([0-9][0-9\- ]{8,16}[0-9Xx])$", re.IGNORECASE)
LCCN_LIKE = re.compile(r"^(?:lccn:?\s*)?([a-z]{0,3}\s?\d{2,4}-?\d{1,6})$", re.IGNORECASE)
BARCODE_LIKE = re.compile(r"^\d{8,20}$")
FILTERS = ("material_type", "language", "audience", "subject", "available_at")
# "Did you mean" is worked out only for searches finding fewer than this (most find more, and
# pay nothing for it).
FEW_RESULTS = 3


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
    suggestion: str = ""  # the search respelt with the index's own words, when it finds more
    suggestion_total: int = 0


def identifier_lookup(text: str) -> list[int]:
    """Records carrying an ISBN, LCCN or item barcode typed into the search box."""
    text = text.strip()
    values = set()
    if (match := ISBN_LIKE.match(text)) and (isbn := isbn13(match.group(1))):
        values.add(isbn)
    if match := LCCN_LIKE.match(text):
        values.add(normalise_lccn(match.group(1)))
    ids = set()
    if values:  # most searches are words: no query at all then
        ids |= set(
            RecordIdentifier.objects.filter(value__in=values).values_list("record_id", flat=True)
        )
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
    """One page of results. The request is bounded (SearchRequest) before any work: an
    InputError names the field out of range."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    engine_filters = _engine_filters(filters)
    request = SearchRequest(parse(text), engine_filters, year_from, year_to, sort, page, limit)
    if (ids := identifier_lookup(text)) and not filters:
        records = records_by_id(ids)
        return SearchResult(len(records), records, availability(ids), exact=True)
    response = engine().search(request)
    strict_total, relaxed = response.total, False
    if response.total == 0 and len(request.query.terms) > 1:
        request.require_all = False
        response, relaxed = engine().search(request), True
    records = records_by_id(response.ids)
    found = SearchResult(
        response.total, records, availability(response.ids), response.facets, relaxed=relaxed
    )
    if strict_total < FEW_RESULTS and page == 1:
        found.suggestion, found.suggestion_total = did_you_mean(
            text, filters, year_from, year_to, more_than=strict_total
        )
    return found


def _engine_filters(filters: dict[str, str]) -> dict[str, str]:
    return {("subject_facet" if k == "subject" else k): v for k, v in filters.items() if v}


def did_you_mean(
    text: str,
    filters: dict[str, str],
    year_from: int | None,
    year_to: int | None,
    *,
    more_than: int,
) -> tuple[str, int]:
    """The search respelt with indexed words near its own, and how many records it finds
    with every word, when that is more than `more_than`; else ("", 0)."""
    words = [w for term in parse(text).terms if term.field != "isbn" for w in term.words]
    fixes = engine().suggest(words)
    if not fixes:
        return "", 0
    respelt = WORD.sub(lambda m: _respell(m, fixes), text)
    total = count(respelt, filters, year_from, year_to)
    return (respelt, total) if total > more_than else ("", 0)


def _respell(match: re.Match, fixes: dict[str, str]) -> str:
    word = match.group()
    if match.string[match.end() : match.end() + 1] == ":":  # a field name (title:...)
        return word
    return fixes.get(fold(word), word)


def count(
    text: str,
    filters: dict[str, str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> int:
    """How many records have every word of this search, within the filters: one cheap engine
    call, no facets, no records read."""
    named = _engine_filters(filters or {})
    request = SearchRequest(parse(text), named, year_from, year_to, limit=1)
    request.facets = False
    return engine().search(request).total


# A results page is read on every search: its two reads are compiled once (core.statements)
# for up to a page of ids, unused places holding 0, which no row has.
PAGE = 20


def _page_slots() -> dict[str, type]:
    return {f"id{n}": int for n in range(PAGE)}


def _page_values(ids: list[int]) -> dict[str, int]:
    padded = [*ids, *[0] * (PAGE - len(ids))]
    return {f"id{n}": pk for n, pk in enumerate(padded)}


def _any_of(column: str, ids: dict[str, int]) -> Q:
    """`column = id0 OR column = id1 ...`: a compiled statement binds each slot as it is,
    which `__in` does not (core/statement_slots.py); SQLite reads it as an IN list."""
    return reduce(or_, (Q(**{column: pk}) for pk in ids.values()))


RECORDS_ON_PAGE = Select(
    lambda **ids: Record.objects.defer("marc").filter(_any_of("pk", ids)).order_by(),
    **_page_slots(),
)
# Copies per record and branch, the branch named by its code in the same statement: joining
# the few branch rows costs the database less than a second round trip to read them.
COPIES_ON_PAGE = Select(
    lambda **ids: (
        Item.objects.filter(_any_of("record_id", ids))
        .values_list("record_id", "branch__code")
        .annotate(total=Count("pk"), available=Count("pk", filter=Q(status=ItemStatus.AVAILABLE)))
        .order_by()
    ),
    **_page_slots(),
)


def records_by_id(ids: list[int]) -> list[Record]:
    """The records with these ids that exist, in the order of `ids` (the MARC left unread)."""
    if len(ids) <= PAGE:
        found = RECORDS_ON_PAGE.all(**_page_values(ids))
    else:
        found = Record.objects.defer("marc").filter(pk__in=ids)
    by_id = {record.pk: record for record in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def availability(record_ids: list[int]) -> dict[int, list[Availability]]:
    """Copies per branch, read from the database so it is always exact."""
    if len(record_ids) <= PAGE:
        rows = COPIES_ON_PAGE.all(**_page_values(record_ids))
    else:
        rows = (
            Item.objects.filter(record_id__in=record_ids)
            .values_list("record_id", "branch__code")
            .annotate(
                total=Count("pk"), available=Count("pk", filter=Q(status=ItemStatus.AVAILABLE))
            )
            .order_by()
        )
    result: dict[int, list[Availability]] = {pk: [] for pk in record_ids}
    for record_id, code, total, available in sorted(rows, key=lambda row: (row[0], row[1])):
        result[record_id].append(Availability(code, available, total))
    return result


# The record page is the catalogue's most read page: its three reads are compiled once too
# (building each query cost more than running it; bench/README.md, issue 17).
RECORD_PAGE = Select(
    lambda record_id: Record.objects.select_related("work").filter(pk=record_id).order_by(),
    record_id=int,
)
OTHER_EDITIONS = Select(
    lambda work_id, record_id: (
        Record.objects.filter(work_id=work_id)
        .exclude(pk=record_id)
        .defer("marc")
        .order_by("-year")[:20]
    ),
    work_id=int,
    record_id=int,
)
ITEMS_OF = Select(
    lambda record_id: (
        Item.objects.filter(record_id=record_id)
        .select_related("branch")
        .order_by("branch__code", "barcode")
    ),
    record_id=int,
)


def record_page(record_id: int) -> Record | None:
    return RECORD_PAGE.first(record_id=record_id)


def other_editions(record: Record) -> list[Record]:
    return OTHER_EDITIONS.all(work_id=record.work_id, record_id=record.pk)


def items_of(record: Record) -> list[Item]:
    return ITEMS_OF.all(record_id=record.pk)
