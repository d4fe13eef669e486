"""Catalogue reads for any caller: search with facets, and records as JSON or MARCXML.

Searches are bounded (page and page size within the maximum result window, query length and
words) and counted per address (LIBDESK_SEARCH_LIMIT)."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from libdesk.api.schemas import InputErrorOut, NotFoundOut, RefusalOut
from libdesk.catalog import selectors
from libdesk.catalog.exporting import marcxml, parse_stored
from libdesk.catalog.models import Record
from libdesk.core import metrics
from libdesk.core.bounds import Code, Id, PageNumber, PageSize, SearchText, ShortText, Year
from libdesk.core.errors import InputError
from libdesk.core.ratelimit import check_search, client_address
from libdesk.core.replica import anonymous_reads, carries_no_credentials

router = Router(tags=["catalogue"])
FACET_NAMES = {"subject_facet": "subject"}  # facets are named like the filters they set
# Anonymous callers' searches and records are read from the read replica, when there is one
# (core/replica.py); a caller with a token is served from the primary.
replica_reads = anonymous_reads(carries_no_credentials)


class AvailabilityOut(Schema):
    branch: str
    available: int
    total: int


class ResultOut(Schema):
    id: int
    control_number: str
    title: str
    authors: list[str]
    year: int | None
    material_type: str
    isbns: list[str]
    availability: list[AvailabilityOut]


class FacetValue(Schema):
    value: str
    count: int


class SearchOut(Schema):
    total: int
    exact: bool
    relaxed: bool
    results: list[ResultOut]
    facets: dict[str, list[FacetValue]]


class SearchParams(Schema):
    q: SearchText = ""
    page: PageNumber = 1
    limit: PageSize = 20
    sort: Literal["relevance", "newest", "title", "author"] = "relevance"
    material_type: Code = ""
    language: Code = ""
    audience: Code = ""
    subject: ShortText = ""
    available_at: Code = ""
    year_from: Year | None = None
    year_to: Year | None = None


class RecordPath(Schema):
    record_id: Id


class RecordOut(ResultOut):
    subtitle: str
    responsibility: str
    subjects: list[str]
    series: list[str]
    issns: list[str]
    lccn: str
    publisher: str
    language: str
    audience: str
    other_editions: list[int]


def _result(record: Record, availability: dict) -> dict:
    return {
        "id": record.pk,
        "control_number": record.control_number,
        "title": record.title,
        "authors": record.authors,
        "year": record.year,
        "material_type": record.material_type,
        "isbns": record.isbns,
        "availability": [vars(a) for a in availability.get(record.pk, [])],
    }


@router.get("/search", response={200: SearchOut, 422: InputErrorOut, 429: RefusalOut}, auth=None)
@decorate_view(replica_reads)
def search(request: HttpRequest, params: Query[SearchParams]):
    """Search the catalogue. An ISBN, LCCN or item barcode as the query returns the records
    carrying it, with "exact": true. With nothing matching every word, results match any
    word and "relaxed" is true. Only the first 10,000 results can be paged through
    (page × limit ≤ 10,000): past that, 422 naming `page`. Searches from one address are
    limited (429 with Retry-After)."""
    check_search(client_address(request))
    filters = {k: getattr(params, k) for k in selectors.FILTERS}
    try:
        found = selectors.search(
            params.q,
            filters=filters,
            year_from=params.year_from,
            year_to=params.year_to,
            sort=params.sort,
            page=params.page,
            limit=params.limit,
        )
    except InputError as error:
        detail = [{"loc": ["query", error.field], "msg": error.message, "type": "value_error"}]
        return Status(422, {"detail": detail})
    metrics.searched("api")
    return {
        "total": found.total,
        "exact": found.exact,
        "relaxed": found.relaxed,
        "results": [_result(r, found.availability) for r in found.records],
        "facets": {
            FACET_NAMES.get(name, name): [{"value": str(v), "count": c} for v, c in values]
            for name, values in found.facets.items()
        },
    }


MARCXML_RESPONSE = {
    "responses": {
        200: {
            "content": {"application/marcxml+xml": {"schema": {"type": "string", "format": "xml"}}}
        }
    }
}


@router.get(
    "/records/{record_id}",
    response={200: RecordOut, 404: NotFoundOut, 422: InputErrorOut},
    auth=None,
    openapi_extra=MARCXML_RESPONSE,
)
@decorate_view(replica_reads)
def record(
    request: HttpRequest,
    path: Path[RecordPath],
    format: Literal["json", "marcxml"] = "json",
):
    """One record as JSON, or its MARC as MARCXML with ?format=marcxml."""
    found = selectors.record_page(path.record_id)
    if found is None:
        raise Http404
    if format == "marcxml":
        xml = marcxml(parse_stored(bytes(found.marc)), namespace=True)
        return HttpResponse(
            b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml,
            content_type="application/marcxml+xml; charset=utf-8",
        )
    availability = selectors.availability([found.pk])
    return {
        **_result(found, availability),
        "subtitle": found.subtitle,
        "responsibility": found.responsibility,
        "subjects": found.subjects,
        "series": found.series,
        "issns": found.issns,
        "lccn": found.lccn,
        "publisher": found.publisher,
        "language": found.language,
        "audience": found.audience,
        "other_editions": [r.pk for r in selectors.other_editions(found)],
    }
