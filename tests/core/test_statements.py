"""Compiled ORM statements: the same rows as the queryset they were built from, values bound
(never in the SQL text), and a statement that would freeze a value refused on first use."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db.models import F

from libdesk.audit.models import AuditEntry
from libdesk.catalog.models import Item
from libdesk.core.statements import Insert, Select, StatementError, Update
from libdesk.library.models import Branch, ClosedDay
from tests.circulation.conftest import Shelf

BRANCH_BY_CODE = Select(lambda code: Branch.objects.filter(code=code), code=str)
CLOSED_BETWEEN = Select(
    lambda branch, start, end: (
        ClosedDay.objects.filter(branch_id=branch, date__gte=start, date__lte=end)
        .order_by("date")
        .values_list("date", "name")
    ),
    branch=int,
    start=date,
    end=date,
)
ITEM_WITH_RECORD = Select(
    lambda barcode: (
        Item.objects.select_related("record", "branch")
        .defer("record__marc")
        .filter(barcode=barcode)
    ),
    barcode=str,
)
RENAME_BRANCH = Update(
    lambda pk, name: (Branch.objects.filter(pk=pk), {"name": name, "phone": F("code")}),
    pk=int,
    name=str,
)
NEW_CLOSED_DAY = Insert(ClosedDay, branch_id=int, date=date, name=str)
ENTRIES_SINCE = Select(
    lambda at: AuditEntry.objects.filter(at__gte=at).values_list("action", flat=False),
    at=datetime,
)


@pytest.mark.django_db
def test_a_select_returns_what_the_queryset_returns(demo_library):
    main = BRANCH_BY_CODE.first(code="MAIN")
    assert main == Branch.objects.get(code="MAIN")
    assert main.name == Branch.objects.get(code="MAIN").name
    assert BRANCH_BY_CODE.first(code="NOPE") is None


@pytest.mark.django_db
def test_select_related_rows_become_instances_with_their_relations(demo_library):
    copy = Shelf().copy(Shelf().record("Compiled once"))
    found = ITEM_WITH_RECORD.first(barcode=copy.barcode)
    assert found.pk == copy.pk
    assert found.record.title == "Compiled once"
    assert found.branch.code == "MAIN"
    assert "marc" in found.record.get_deferred_fields()


@pytest.mark.django_db
def test_dates_are_bound_and_converted_both_ways(demo_library):
    main = Branch.objects.get(code="MAIN")
    pk = NEW_CLOSED_DAY.run(branch_id=main.pk, date=date(2031, 7, 2), name="Test day")
    assert ClosedDay.objects.get(pk=pk).date == date(2031, 7, 2)
    rows = CLOSED_BETWEEN.all(branch=main.pk, start=date(2031, 7, 1), end=date(2031, 7, 3))
    assert rows == [(date(2031, 7, 2), "Test day")]
    assert CLOSED_BETWEEN.all(branch=main.pk, start=date(2031, 7, 3), end=date(2031, 7, 9)) == []


@pytest.mark.django_db
def test_an_update_binds_its_values_and_counts_rows(demo_library):
    main = Branch.objects.get(code="MAIN")
    assert RENAME_BRANCH.run(pk=main.pk, name="Robert'); DROP TABLE x;--") == 1
    main.refresh_from_db()
    assert main.name == "Robert'); DROP TABLE x;--"
    assert main.phone == "MAIN"
    assert RENAME_BRANCH.run(pk=0, name="nobody") == 0


@pytest.mark.django_db
def test_values_never_reach_the_sql_text(demo_library):
    main = Branch.objects.get(code="MAIN")
    _, compiled = RENAME_BRANCH.compiled()
    assert "Robert" not in compiled.sql
    assert main.code not in compiled.sql
    _, compiled = BRANCH_BY_CODE.compiled()
    assert "libdesk-slot" not in compiled.sql


@pytest.mark.django_db
def test_datetimes_are_bound_in_the_database_s_own_form(demo_library):
    from libdesk.audit.actors import Actor
    from libdesk.audit.services import record

    before = datetime(2020, 1, 1, tzinfo=UTC)
    record(Actor.system(), "test.compiled")
    assert ("test.compiled",) in ENTRIES_SINCE.all(at=before)
    assert ENTRIES_SINCE.all(at=datetime(2999, 1, 1, tzinfo=UTC)) == []


@pytest.mark.django_db
def test_missing_or_unknown_slot_values_are_refused(demo_library):
    with pytest.raises(StatementError, match="missing"):
        BRANCH_BY_CODE.first()
    with pytest.raises(StatementError, match="unknown"):
        BRANCH_BY_CODE.first(code="MAIN", other=1)


@pytest.mark.django_db
def test_a_slot_that_shapes_the_query_is_refused(demo_library):
    # `code` is used only in Python, so it never reaches the SQL: the statement is wrong.
    wrong = Select(lambda code: Branch.objects.filter(code__in=["MAIN"]), code=str)
    with pytest.raises(StatementError, match="does not reach the SQL"):
        wrong.first(code="MAIN")


def test_an_insert_that_would_freeze_a_computed_default_is_refused():
    from libdesk.catalog.models import Record

    with pytest.raises(StatementError, match="needs a slot"):  # authors: default=list
        Insert(Record, title=str)
    with pytest.raises(StatementError, match="slots hold"):
        Select(lambda x: Branch.objects.all(), x=set)


@pytest.mark.django_db
def test_json_values_are_bound_like_the_orm_binds_them(demo_library):
    from libdesk.catalog.models import Work

    record = Shelf().record("Json slot")
    insert = Insert(Work, key=str)
    work_pk = insert.run(key="json-slot-work")
    rename = Update(
        lambda pk, authors: (type(record).objects.filter(pk=pk), {"authors": authors}),
        pk=int,
        authors=list,
    )
    assert rename.run(pk=record.pk, authors=["Ann Author", {"role": "ed."}]) == 1
    record.refresh_from_db()
    assert record.authors == ["Ann Author", {"role": "ed."}]
    assert Work.objects.get(pk=work_pk).key == "json-slot-work"


@pytest.mark.django_db
def test_a_constraint_broken_on_either_path_is_django_s_integrity_error(demo_library):
    from django.db import IntegrityError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    from libdesk.catalog.models import Work

    insert = Insert(Work, key=str)
    insert.run(key="only-once")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.run(key="only-once")  # straight to the driver on SQLite
    with (
        CaptureQueriesContext(connection) as seen,
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        insert.run(key="only-once")  # through Django's cursor, which records it
    assert any("INSERT" in query["sql"] for query in seen.captured_queries)
    assert Work.objects.filter(key="only-once").count() == 1


@pytest.mark.django_db
def test_watched_and_unwatched_runs_return_the_same_rows(demo_library):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = BRANCH_BY_CODE.all(code="MAIN")
    with CaptureQueriesContext(connection) as seen:
        watched = BRANCH_BY_CODE.all(code="MAIN")
    assert [b.pk for b in plain] == [b.pk for b in watched]
    assert len(seen.captured_queries) == 1


@pytest.mark.django_db(transaction=True)
def test_each_thread_s_connection_compiles_its_own_and_gets_its_own_rows(demo_library):
    """Waitress serves from several threads, each with its own connection."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    codes = list(Branch.objects.values_list("code", flat=True))

    def look_up(code: str) -> str:
        try:
            return BRANCH_BY_CODE.first(code=code).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(look_up, codes * 10))
    assert found == codes * 10
