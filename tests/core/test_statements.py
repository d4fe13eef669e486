"""Compiled ORM statements: the same rows as the queryset they were built from, values bound
(never in the SQL text), and a statement that could answer differently from the ORM refused
when it is built, naming the statement and the slot."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext, override_settings

from libdesk.audit.models import AuditEntry
from libdesk.catalog.models import Item, Record
from libdesk.core.statements import Delete, Insert, Select, StatementError, Update
from libdesk.library.models import Branch, ClosedDay, OpeningHours
from tests.circulation.conftest import Shelf

BRANCH_BY_CODE = Select(lambda code: Branch.objects.filter(code=code), code=str)
BRANCH_BY_PK = Select(lambda pk: Branch.objects.filter(pk=pk).values_list("code"), pk=int)
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
MOVE_CLOSED_DAY = Update(
    lambda pk, branch: (ClosedDay.objects.filter(pk=pk), {"branch_id": branch}), pk=int, branch=int
)
NEW_CLOSED_DAY = Insert(ClosedDay, branch_id=int, date=date, name=str)
ENTRIES_SINCE = Select(
    lambda at: AuditEntry.objects.filter(at__gte=at).values_list("action", flat=False),
    at=datetime,
)
HOURS_ON = Select(
    lambda weekday: OpeningHours.objects.filter(weekday=weekday).values_list("branch_id"),
    weekday=int,
)
FORGET_CLOSED_DAY = Delete(lambda pk: ClosedDay.objects.filter(pk=pk), pk=int)


@pytest.fixture(autouse=True)
def _fast_path_on(settings):
    """These tests are about the compiled path, whatever LIBDESK_FAST_STATEMENTS says (CI's
    PostgreSQL run turns it off)."""
    settings.LIBDESK = {**settings.LIBDESK, "FAST_STATEMENTS": True}


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
def test_a_slot_that_never_reaches_the_sql_is_refused(demo_library):
    # `code` is used only in Python, so it never reaches the SQL: the statement is wrong.
    wrong = Select(lambda code: Branch.objects.filter(code__in=["MAIN"]), code=str)
    with pytest.raises(StatementError, match="'code' does not reach the SQL"):
        wrong.first(code="MAIN")


@pytest.mark.django_db
def test_a_slot_that_shapes_the_sql_is_refused(demo_library):
    sliced = Select(lambda code, size: Branch.objects.filter(code=code)[:size], code=str, size=int)
    with pytest.raises(StatementError, match="SQL text changes"):
        sliced.first(code="MAIN", size=1)


@pytest.mark.django_db
def test_a_value_changed_in_python_before_the_query_is_refused(demo_library):
    shouted = Select(lambda code: Branch.objects.filter(code=code.upper()), code=str)
    with pytest.raises(StatementError, match="slot 'code' reaches the `exact` lookup changed"):
        shouted.first(code="main")


# Each lookup Django prepares its value for, or whose value shapes the SQL, with a slot.
REFUSED_LOOKUPS = {
    "iexact": lambda v: Branch.objects.filter(name__iexact=v),
    "contains": lambda v: Branch.objects.filter(name__contains=v),
    "icontains": lambda v: Branch.objects.filter(name__icontains=v),
    "startswith": lambda v: Branch.objects.filter(name__startswith=v),
    "istartswith": lambda v: Branch.objects.filter(name__istartswith=v),
    "endswith": lambda v: Branch.objects.filter(name__endswith=v),
    "iendswith": lambda v: Branch.objects.filter(name__iendswith=v),
    "regex": lambda v: Branch.objects.filter(name__regex=v),
    "iregex": lambda v: Branch.objects.filter(name__iregex=v),
    "in": lambda v: Branch.objects.filter(code__in=["MAIN", v]),
    "range": lambda v: Branch.objects.filter(code__range=(v, "Z")),
    "expression": lambda v: Branch.objects.filter(name=Concat(Value(v), Value("x"))),
    "annotation": lambda v: Branch.objects.annotate(tag=Value(v)),
    "json": lambda v: Record.objects.filter(authors__0=v),
    "extra": lambda v: Branch.objects.extra(where=["name = %s"], params=[v]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", sorted(REFUSED_LOOKUPS))
def test_a_lookup_that_transforms_its_value_is_refused_when_built(demo_library, lookup):
    statement = Select(REFUSED_LOOKUPS[lookup], v=str)
    with pytest.raises(StatementError) as refused:
        statement.compiled()
    assert "slot 'v'" in str(refused.value)
    assert str(refused.value).startswith("statement tests.core.test_statements")


@pytest.mark.django_db
def test_iexact_with_an_underscore_no_longer_matches_another_letter(demo_library):
    """The finding behind issue 11: `name__iexact="a_b"` compiled matched `axb` (the LIKE
    escaping was skipped). It is refused; `=` binds "a_b" as it is, on both paths."""
    Branch.objects.create(code="AXB", name="axb", address="-")
    with pytest.raises(StatementError, match="`iexact` lookup, which escapes it for LIKE"):
        Select(lambda name: Branch.objects.filter(name__iexact=name), name=str).first(name="a_b")
    by_name = Select(lambda name: Branch.objects.filter(name=name), name=str)
    assert by_name.all(name="a_b") == []
    assert [b.code for b in by_name.all(name="axb")] == ["AXB"]


@pytest.mark.django_db
def test_year_and_other_transforms_of_the_column_are_refused(demo_library):
    by_year = Select(lambda year: ClosedDay.objects.filter(date__year=year), year=int)
    with pytest.raises(StatementError, match="slot 'year' goes through the `year__exact` lookup"):
        by_year.compiled()
    wrong_kind = Select(lambda day: ClosedDay.objects.filter(name=day), day=date)
    with pytest.raises(StatementError, match="holds date but meets name"):
        wrong_kind.compiled()


@pytest.mark.django_db
def test_an_expression_around_a_written_slot_is_refused(demo_library):
    wrapped = Update(
        lambda pk, name: (Branch.objects.filter(pk=pk), {"name": Concat(Value(name), F("code"))}),
        pk=int,
        name=str,
    )
    with pytest.raises(StatementError, match="slot 'name' is inside"):
        wrapped.compiled()


@pytest.mark.django_db
@pytest.mark.parametrize("constant", [7000, 7100])
def test_a_constant_equal_to_a_marker_is_not_taken_for_a_slot(demo_library, constant):
    """Markers are ordinary values (an integer slot's are 7000 and 7100): a constant of the
    query that equals one build's marker cannot equal the other's, so it stays a constant."""
    statement = Select(lambda pk: Branch.objects.filter(pk=pk).exclude(pk=constant), pk=int)
    main = Branch.objects.get(code="MAIN")
    assert statement.first(pk=main.pk) == main


@pytest.mark.django_db
def test_none_in_a_filter_slot_is_refused_when_called(demo_library):
    """`= NULL` matches nothing, where the ORM would write IS NULL."""
    with pytest.raises(StatementError, match="slot 'code' filters rows and was given None"):
        BRANCH_BY_CODE.first(code=None)
    with pytest.raises(StatementError, match="slot 'pk' filters rows"):
        RENAME_BRANCH.run(pk=None, name="x")


@pytest.mark.django_db
def test_none_is_written_by_an_update_or_an_insert(demo_library):
    main = Branch.objects.get(code="MAIN")
    pk = NEW_CLOSED_DAY.run(branch_id=None, date=date(2031, 7, 3), name="Everywhere")
    assert ClosedDay.objects.get(pk=pk).branch_id is None
    assert MOVE_CLOSED_DAY.run(pk=pk, branch=main.pk) == 1
    assert MOVE_CLOSED_DAY.run(pk=pk, branch=None) == 1
    assert ClosedDay.objects.get(pk=pk).branch_id is None


@pytest.mark.django_db
def test_an_integer_beyond_its_column_gets_the_orm_s_answer(demo_library):
    """Django answers "no row" without the database for an id no column can hold; the fast
    path would have handed the driver an integer it cannot bind."""
    assert BRANCH_BY_PK.all(pk=2**70) == list(Branch.objects.filter(pk=2**70)) == []
    assert HOURS_ON.all(weekday=-1) == list(
        OpeningHours.objects.filter(weekday=-1).values_list("branch_id")
    )
    main = Branch.objects.get(code="MAIN")
    assert BRANCH_BY_PK.all(pk=main.pk) == [("MAIN",)]


@pytest.mark.django_db
def test_the_setting_runs_every_statement_through_the_orm(demo_library):
    built = []

    def build(code):
        built.append(code)
        return Branch.objects.filter(code=code)

    counted = Select(build, code=str)
    counted.first(code="MAIN")
    counted.first(code="KEEW")
    assert len(built) == 2  # built twice with markers, then only bound
    with override_settings(LIBDESK={**settings.LIBDESK, "FAST_STATEMENTS": False}):
        assert counted.first(code="KEEW").code == "KEEW"
        pk = NEW_CLOSED_DAY.run(branch_id=None, date=date(2031, 7, 4), name="ORM day")
        assert FORGET_CLOSED_DAY.run(pk=pk) == 1
        with pytest.raises(StatementError, match="filters rows"):
            counted.first(code=None)
    assert built[2:] == ["KEEW"]
    assert not ClosedDay.objects.filter(pk=pk).exists()


def test_the_environment_turns_the_fast_path_off(tmp_path):
    """`LIBDESK_FAST_STATEMENTS=0` in a fresh process (CI's PostgreSQL run); on by default."""
    code = (
        "import django; django.setup();"
        "from libdesk.core.statements import fast_statements; print(fast_statements())"
    )

    def fast_in_a_process(**env: str) -> str:
        full = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
        full.update(DJANGO_SETTINGS_MODULE="libdesk.settings", LIBDESK_DATA_DIR=str(tmp_path))
        done = subprocess.run(
            [sys.executable, "-c", code], env={**full, **env}, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert fast_in_a_process() == "True"
    assert fast_in_a_process(LIBDESK_FAST_STATEMENTS="0") == "False"


@pytest.mark.django_db
def test_every_query_goes_through_django_s_cursor(demo_library):
    """DEBUG's log, query counts and monitoring (execute wrappers) see what production runs."""
    seen = []

    def monitor(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    _, compiled = BRANCH_BY_CODE.compiled()
    with connection.execute_wrapper(monitor):
        BRANCH_BY_CODE.first(code="MAIN")
    with CaptureQueriesContext(connection) as logged:
        BRANCH_BY_CODE.first(code="MAIN")
    assert seen == [compiled.sql]
    assert len(logged.captured_queries) == 1
    assert "'MAIN'" in logged.captured_queries[0]["sql"]


def test_an_insert_that_would_freeze_a_computed_default_is_refused():
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
def test_a_broken_constraint_is_django_s_integrity_error(demo_library):
    from django.db import IntegrityError, transaction

    from libdesk.catalog.models import Work

    insert = Insert(Work, key=str)
    insert.run(key="only-once")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.run(key="only-once")
    assert Work.objects.filter(key="only-once").count() == 1


@pytest.mark.django_db
def test_a_statement_is_named_after_its_declaration(demo_library):
    assert BRANCH_BY_CODE.name == "tests.core.test_statements.BRANCH_BY_CODE"
    from libdesk.circulation.services.lending import ITEM_BY_BARCODE

    assert (
        ITEM_BY_BARCODE[1, 0].name == "libdesk.circulation.services.lending.ITEM_BY_BARCODE[(1, 0)]"
    )


@pytest.mark.django_db(transaction=True)
def test_each_thread_gets_its_own_rows_from_one_compiled_statement(demo_library):
    """Waitress serves from several threads, each with its own connection."""
    from concurrent.futures import ThreadPoolExecutor

    codes = list(Branch.objects.values_list("code", flat=True))

    def look_up(code: str) -> str:
        try:
            return BRANCH_BY_CODE.first(code=code).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(look_up, codes * 10))
    assert found == codes * 10
