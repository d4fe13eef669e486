"""The anonymous catalogue reads the database a fixed, small number of times per request,
however many results or editions it shows (STYLE.md, point 11): each statement is a round trip
to PostgreSQL, and these are the most asked pages (bench/README.md, issue 17). Availability
names each branch in the same statement that counts the copies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.models import Record
from libdesk.catalog.search.follower import wait_until_indexed
from libdesk.core.models import CacheCounter
from tests.catalog.marcdata import book, raw, write

pytestmark = pytest.mark.django_db

# The most each request may send: the results or the record, their copies per branch (with
# the branches' codes), the branches' names on pages, a record page's copies on loan, and the
# library's name on pages.
LIMITS = {
    "search page": 4,
    "search API": 2,
    "record page": 7,
    "record API": 3,
}


@pytest.fixture
def shelves(tmp_path, demo_library, settings):
    """25 histories with a copy at each branch, a lone title, and three editions of a work."""
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_LIMIT": 500}
    records = [
        book(f"q{n:03d}", f"A history of rivers {n}", author="Banks, Ria") for n in range(25)
    ]
    records.append(book("lone", "Solitary lighthouses", author="Keeper, Lee"))
    records += [
        book(f"ed{year}", "Gardens of the north", author="Frost, Ivy", year=year)
        for year in (1990, 2005, 2020)
    ]
    import_file(write(tmp_path / "shelves.mrc", [raw(r) for r in records]))
    copies = [
        {
            "barcode": f"3900000009{n:02d}{branch == 'KEEW':d}0",
            "control_number": record["001"].data,
            "branch": branch,
            "location": "Stacks",
            "call_number": f"900.{n}",
            "collection": "Adult",
            "status": "available",
        }
        for n, record in enumerate(records)
        for branch in ("MAIN", "KEEW")
    ]
    store_items(copies, source="test")
    wait_until_indexed()


def queries(client, path: str, **params: str) -> tuple[int, str]:
    """The statements a request sends, but for the search limit's counter: with the database
    as the shared cache (PostgreSQL's default) it is one upsert a search, and each thread
    deletes expired counters once a minute (tests/core/test_dbcache.py)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content[:500]
    sent = [q for q in captured.captured_queries if CacheCounter._meta.db_table not in q["sql"]]
    return len(sent), response.content.decode()


def test_a_page_of_twenty_results_reads_as_often_as_a_page_of_one(client, shelves):
    many, page = queries(client, "/search/", q="history rivers")
    one, _ = queries(client, "/search/", q="lighthouses")
    assert "Results 1–20 of 25" in page and "Keewatin: 1 of 1 copy available" in page
    assert many == one <= LIMITS["search page"]
    many_api, _ = queries(client, "/api/v1/catalog/search", q="history rivers")
    one_api, _ = queries(client, "/api/v1/catalog/search", q="lighthouses")
    assert many_api == one_api <= LIMITS["search API"]


def test_a_record_with_other_editions_reads_as_often_as_one_without(client, shelves):
    edition = Record.objects.get(control_number="ed2020")
    lone = Record.objects.get(control_number="lone")
    with_editions, page = queries(client, f"/records/{edition.pk}/")
    alone, _ = queries(client, f"/records/{lone.pk}/")
    assert "Gardens of the north" in page and "available at Keewatin" in page
    assert with_editions == alone <= LIMITS["record page"]
    api, _ = queries(client, f"/api/v1/catalog/records/{edition.pk}")
    assert api <= LIMITS["record API"]
