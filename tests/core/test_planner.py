"""Bulk loads leave PostgreSQL's planner with statistics of what they wrote, and the deploy
check says when autovacuum, which keeps them current afterwards, is off (core/planner.py).
SQLite keeps no such statistics and is left alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.models import Item, Record
from libdesk.core import planner
from tests.catalog.marcdata import book, raw, write

pytestmark = pytest.mark.django_db


def estimated_rows(table: str) -> float:
    """What the planner believes the table holds (PostgreSQL: -1 until first analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def sqlite_has_statistics() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return cursor.fetchone()[0] > 0


def test_imports_refresh_the_statistics_of_what_they_wrote(tmp_path, demo_library, monkeypatch):
    monkeypatch.setattr(planner, "BULK", 2)  # the crafted file is small
    books = [book(f"p{n}", f"Planner book {n}", year=2000 + n) for n in range(3)]
    import_file(write(tmp_path / "planner.mrc", [raw(b) for b in books]))
    rows = [
        {
            "barcode": f"3900000000810{n}",
            "control_number": f"p{n}",
            "branch": "MAIN",
            "location": "",
            "call_number": "",
            "collection": "",
            "status": "available",
        }
        for n in range(3)
    ]
    store_items(rows, source="planner.csv")
    if connection.vendor == "postgresql":
        assert estimated_rows("catalog_record") == Record.objects.count()
        assert estimated_rows("catalog_item") == Item.objects.count()
    else:
        assert not sqlite_has_statistics()


def test_a_small_load_leaves_the_statistics_to_autovacuum():
    with CaptureQueriesContext(connection) as small:
        assert planner.refresh_statistics(Record, written=planner.BULK - 1) is False
    assert small.captured_queries == []
    with CaptureQueriesContext(connection) as large:
        ran = planner.refresh_statistics(Record, written=planner.BULK)
    assert ran is (connection.vendor == "postgresql")
    sent = [query["sql"] for query in large.captured_queries]
    assert sent == (['ANALYZE "catalog_record"'] if ran else [])


def test_the_deploy_check_warns_when_autovacuum_is_off():
    found = [message.id for message in planner.check_autovacuum()]
    if connection.vendor != "postgresql":
        assert found == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        setting = cursor.fetchone()[0]
    assert found == ([] if setting == "on" else ["libdesk.W012"])
