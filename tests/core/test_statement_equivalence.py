"""Every compiled statement answers exactly as the plain ORM queryset it was written from.

For each statement libdesk declares (core/statement_registry.py), on the test database
(SQLite in the SQLite run, PostgreSQL in the PostgreSQL run), over a small library with loans,
holds, fees, tokens and replies made by the services: each slot is given, in turn, every
adversarial value of its kind (LIKE's `%` and `_`, backslashes, quotes, unicode, empty and
over-long strings, NUL, the smallest and largest integers its column holds and one past them,
floats at the edges, dates and datetimes at the edges, JSON values, and for written values
None) while the other slots hold values found in the table; then hypothesis draws values for
every slot at once (a capped number of examples). Each set of values runs through the fast
path and through the plain ORM (`LIBDESK_FAST_STATEMENTS` off), each in a savepoint rolled
back afterwards. Reads compare their rows (instances field by field, with their related
objects and annotations); writes compare their answer and the whole table they change. An
error must be the same error on both paths.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from libdesk.core.statement_registry import import_declarations, registered
from libdesk.core.statement_slots import column_kind
from libdesk.core.statements import Delete, Insert, Select, Update
from tests.circulation.conftest import Shelf

import_declarations()
STATEMENTS = {statement.name: statement for statement in registered("libdesk")}
DRAWN = 10  # hypothesis examples per statement, after every edge value of every slot
WINNIPEG = ZoneInfo("America/Winnipeg")

TEXT_EDGES = [
    "",
    " ",
    "%",
    "_",
    "\\",
    "%%",
    "a_b",
    "a%b",
    "\\_",
    "'",
    '"',
    "'; DROP TABLE x; --",
    "é",
    "É",
    "ß",
    "İ",
    "🙂",
    "\u200b",
    "\x00",
    "a\x00b",
]
FLOAT_EDGES = [0.0, -0.0, 0.1, -1.5, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan]
DATE_EDGES = [date.min, date.max, date(1970, 1, 1), date(1900, 1, 1), date(2000, 2, 29)]
DATETIME_EDGES = [
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
    datetime(2026, 3, 8, 2, 30, 0, 1, tzinfo=WINNIPEG),  # in the spring-forward gap
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=WINNIPEG),  # the second 01:30
]
USUAL = {
    str: "x",
    int: 1,
    float: 1.0,
    date: date(2026, 6, 1),
    datetime: datetime(2026, 6, 1, tzinfo=UTC),
    dict: {"a": 1},
    list: ["a"],
}
JSON_EDGES: dict[type, list] = {
    dict: [{}, {"": None}, {"%_\\": "'\""}, {"é": ["🙂", 2**53, -0.5, True, None]}, {"n": "\x00"}],
    list: [[], [None], ["%", "_", "\\"], [{"a": [1, {"b": "é"}]}], ["\x00"]],
}


@pytest.fixture
def small_library(demo_library):
    """Loans, a hold waiting and one filled, a damage fee, a token, a stored reply, a task
    row: every table a statement reads or writes holds rows made the way libdesk makes them."""
    from django_tasks_db.models import DBTaskResult

    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.api.models import IdempotentReply
    from libdesk.api.tokens import issue_staff_token
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.core import clock
    from libdesk.patrons.models import Patron

    shelf = Shelf()
    clerk, at = StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    counter = Desk.staff_at(clerk, at)
    avery = Patron.objects.get(card_number="29000000000001")
    beatrice = Patron.objects.get(card_number="29000000000002")
    copies = [shelf.copy(shelf.record(f"Equal {n}")) for n in range(4)]
    for copy in copies[:3]:
        services.checkout(counter, avery, copy.barcode)
    services.place_hold(counter, beatrice, pickup_branch=counter.branch, record=copies[0].record)
    services.place_hold(counter, beatrice, pickup_branch=counter.branch, record=copies[1].record)
    services.checkin(counter, copies[0].barcode)  # fills the first hold
    services.return_damaged(counter, copies[2].barcode, Decimal("4.50"), "wet")
    issue_staff_token(clerk, at)
    IdempotentReply.objects.create(
        lookup="k_%1",
        request_hash="0" * 64,
        status=201,
        sealed="sealed answer",
        loan_id=copies[1].pk,
        created_at=clock.now(),
    )
    DBTaskResult.objects.create(
        task_path="libdesk.catalog.search.tasks.apply_catalog_outbox",
        enqueued_at=clock.now(),
        run_after=clock.now(),
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        exception_class_path="",
        traceback="",
    )


def _plain(value: Any) -> Any:
    """A value as compared: NaN equals NaN (it is the same answer on both paths)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def _row(row: Any) -> Any:
    """A row as compared: a tuple's values, or an instance's every attribute, its related
    instances (select_related) and its state."""
    if isinstance(row, tuple):
        return tuple(_plain(value) for value in row)
    attributes = {name: _plain(value) for name, value in vars(row).items() if name != "_state"}
    related = {
        name: None if value is None else _row(value)
        for name, value in row._state.fields_cache.items()
    }
    return type(row).__name__, attributes, related, row._state.db, row._state.adding


def _table_of(statement, values: dict) -> type | None:
    if isinstance(statement, Insert):
        return statement.model
    if isinstance(statement, Update):
        return statement.build(**values)[0].model
    if isinstance(statement, Delete):
        return statement.build(**values).model
    return None


def _table(model, with_pk: bool) -> list[tuple]:
    names = [f.attname for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    rows = model._base_manager.order_by("pk").values_list(*names)
    return [tuple(_plain(value) for value in row) for row in rows]


def _answer(statement, values: dict) -> tuple:
    """What the statement answers on the path now set, and the table a write leaves."""
    if isinstance(statement, Select):
        return ("rows", [_row(row) for row in statement.all(**values)])
    model = _table_of(statement, values)
    if isinstance(statement, Insert):
        pk = statement.run(**values)  # a PostgreSQL sequence moves on even when rolled back
        return ("inserted", model._base_manager.filter(pk=pk).exists(), _table(model, False))
    return ("changed", statement.run(**values), _table(model, True))


def outcome(statement, values: dict, fast: bool) -> tuple:
    """The answer on one path, in a savepoint rolled back afterwards; an error by its type."""
    with override_settings(LIBDESK={**settings.LIBDESK, "FAST_STATEMENTS": fast}):
        try:
            with transaction.atomic():
                answer = _answer(statement, values)
                transaction.set_rollback(True)
        except Exception as error:
            return ("error", type(error).__name__)
    return answer


def _existing(column) -> list:
    """Values the column holds now (so filters match rows, not only miss them)."""
    rows = column.model._base_manager.order_by().values_list(column.attname, flat=True)
    return [value for value in rows.distinct()[:8] if value is not None]


def _integer_edges(column) -> list[int]:
    low, high = connection.ops.integer_field_range(column_kind(column))
    return [0, 1, -1, low, high, low - 1, high + 1]


def _text_edges(column, existing: list) -> list[str]:
    longest = getattr(column, "max_length", None) or 200
    variants = []
    for value in existing[:3]:
        if isinstance(value, str) and value:
            variants += [value[:-1] + "_", value[:-1] + "%", value.swapcase(), f" {value}"]
    return [*TEXT_EDGES, "x" * longest, "x" * (longest + 1), *variants]


def edge_values(kind: type, column, existing: list) -> list:
    """Every adversarial value a slot of this kind is given."""
    edges: dict[type, Callable[[], list]] = {
        str: lambda: _text_edges(column, existing),
        int: lambda: _integer_edges(column),
        float: lambda: FLOAT_EDGES,
        date: lambda: DATE_EDGES,
        datetime: lambda: DATETIME_EDGES,
        dict: lambda: JSON_EDGES[dict],
        list: lambda: JSON_EDGES[list],
    }
    return [*existing, *edges[kind]()]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def drawn(kind: type, column) -> st.SearchStrategy:
    """Hypothesis' values of a kind, within what the column may be asked about."""
    if kind is int:
        low, high = connection.ops.integer_field_range(column_kind(column))
        return st.integers(low, high)
    return {
        str: st.text(max_size=24),
        float: st.floats(),
        date: st.dates(),
        datetime: st.datetimes(timezones=st.just(UTC)),
        dict: st.dictionaries(st.text(max_size=4), _JSON, max_size=3),
        list: st.lists(_JSON, max_size=3),
    }[kind]


def _unique(column) -> bool:
    meta = column.model._meta
    together = [c.fields for c in meta.constraints if hasattr(c, "fields")]
    return column.unique or any(column.name in fields for fields in together)


def _usual(statement, slot: str, existing: list) -> Any:
    """The value a slot holds while another is varied: one the table holds (so filters find
    rows); for an insert, the last row's (its values agree with each other and with the
    table's checks), or in a unique column one the table does not hold (so the row goes in)."""
    kind = statement.slots[slot]
    if not isinstance(statement, Insert):
        return existing[0] if existing else USUAL[kind]
    column = statement.model._meta.get_field(slot)
    if _unique(column):
        return max(existing, default=0) + 1000 if kind is int else "fresh"
    last = statement.model._base_manager.order_by("pk").values_list(slot, flat=True).last()
    return USUAL[kind] if last is None else last


def assert_same(statement, values: dict, ran_compiled: list) -> None:
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    _, compiled = statement.compiled()
    with connection.execute_wrapper(watch):
        fast = outcome(statement, values, fast=True)
    orm = outcome(statement, values, fast=False)
    ran_compiled.append(compiled.sql in seen)
    assert fast == orm, f"{statement.name} answers differently for {values!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_the_fast_path_answers_as_the_orm(small_library, name):
    statement = STATEMENTS[name]
    _, compiled = statement.compiled()
    columns, filters = compiled.places.columns, compiled.places.filters
    existing = {slot: _existing(columns[slot]) for slot in statement.slots}
    usual = {slot: _usual(statement, slot, existing[slot]) for slot in statement.slots}
    ran_compiled: list[bool] = []
    for slot, kind in statement.slots.items():
        edges = edge_values(kind, columns[slot], existing[slot])
        for value in [*edges, *([] if slot in filters else [None])]:
            assert_same(statement, {**usual, slot: value}, ran_compiled)

    @hypothesis_settings(
        max_examples=DRAWN,
        deadline=None,
        database=None,  # nothing written in the tree
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.fixed_dictionaries(
            {
                slot: st.sampled_from(edge_values(kind, columns[slot], existing[slot]))
                | drawn(kind, columns[slot])
                for slot, kind in statement.slots.items()
            }
        )
    )
    def drawn_values_answer_alike(values: dict) -> None:
        assert_same(statement, values, ran_compiled)

    drawn_values_answer_alike()
    assert any(ran_compiled), f"{name} never ran its compiled SQL"


def test_every_declared_statement_is_compared():
    assert len(STATEMENTS) >= 40
    assert {
        "libdesk.circulation.services.lending.NEW_LOAN",
        "libdesk.api.tokens.LIVE_TOKEN",
    } <= set(STATEMENTS)
