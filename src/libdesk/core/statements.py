"""ORM queries compiled once per database connection, then run again with new values.

Why: building a query costs Django far more than running it. On the reference VM a one-row
`get()` spends ~0.5 ms cloning querysets, resolving lookups and compiling SQL, and ~0.04 ms in
the database; a checkout sends a dozen, so the circulation desk (issue 5: checkout p95 5 ms)
cannot afford to rebuild them on every scan.

A `Select`, `Update`, `Insert` or `Delete` is written with the ORM like any other query. On
first use on a connection it is built once with marker values in its slots and compiled by
Django's own compiler; afterwards each call binds the new values to the same SQL and turns rows
into model instances the way Django's `ModelIterable` does. The SQL text always comes from the
ORM and values are always bound parameters, never formatted into the text (PRIVACY.md: "ORM
only").

A slot must stand for a value in the query (a lookup's right-hand side, an updated or inserted
value), never for a part of its shape: anything that changes the SQL text (a list whose length
varies, `None` in a filter, an optional clause) needs its own statement.
"""

from __future__ import annotations

import threading
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connections, models
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql import DeleteQuery, InsertQuery, UpdateQuery

SLOT_KINDS = (str, int, float, date, datetime, dict, list)  # dict, list: JSON


class StatementError(Exception):
    """A statement that cannot be compiled safely: a programming error, found on first use."""


def _marker(kind: type, n: int) -> Any:
    """A value of the slot's type that no real query carries, unique per slot."""
    if kind is str:
        return f"\x00libdesk-slot-{n}\x00"
    if kind is int:
        return -(7 * 10**15) - n
    if kind is float:
        return -7.5e15 - n
    if kind is datetime:
        return datetime(1111, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    if kind is date:
        return date(1111, 1, 1) + timedelta(days=n)
    if kind is dict:
        return {"libdesk-slot": n}
    if kind is list:
        return ["libdesk-slot", n]
    raise StatementError(f"slots hold {', '.join(k.__name__ for k in SLOT_KINDS)}; not {kind}")


def _adapt(kind: type, value: Any, connection) -> Any:
    """The value as the driver receives it, the same way Django adapts it for this field type."""
    if value is None:
        return None
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is date:
        return connection.ops.adapt_datefield_value(value)
    if kind in (dict, list):  # as a JSONField without a custom encoder adapts it
        return connection.ops.adapt_json_value(value, None)
    return value


def _same(param: Any, wanted: Any) -> bool:
    """Whether a compiled parameter is this slot's marker (PostgreSQL wraps JSON in an object
    that compares by identity, so its payload is compared instead)."""
    if not isinstance(param, type(wanted)):  # psycopg's Int8 is an int, say
        return False
    return param == wanted or getattr(param, "obj", param) == getattr(wanted, "obj", wanted)


class _Compiled:
    """One statement's SQL and where each slot's value goes, for one connection."""

    def __init__(self, sql: str, params: list, slots: dict[str, type], connection) -> None:
        self.sql = sql
        self.direct = _qmark(sql) if connection.vendor == "sqlite" else None
        self.params = list(params)
        self.kinds = slots
        self.positions: dict[str, list[int]] = {}
        self.wrappers: dict[str, type | None] = {}
        for n, (name, kind) in enumerate(slots.items()):
            wanted = _adapt(kind, _marker(kind, n), connection)
            found = [i for i, p in enumerate(self.params) if _same(p, wanted)]
            if not found:
                raise StatementError(f"slot {name!r} does not reach the SQL as a bound value")
            self.positions[name] = found
            # The driver type Django chose for this column (PostgreSQL binds a bigint as Int8).
            chosen = type(self.params[found[0]])
            self.wrappers[name] = chosen if chosen is not type(wanted) else None

    def bind(self, values: dict[str, Any], connection) -> list:
        if values.keys() != self.kinds.keys():
            missing = sorted(self.kinds.keys() - values.keys())
            extra = sorted(values.keys() - self.kinds.keys())
            raise StatementError(f"slots missing {missing}, unknown {extra}")
        params = list(self.params)
        for name, value in values.items():
            adapted = _adapt(self.kinds[name], value, connection)
            wrapper = self.wrappers[name]
            if wrapper is not None and adapted is not None:
                adapted = wrapper(adapted)
            for position in self.positions[name]:
                params[position] = adapted
        return params


def _qmark(sql: str) -> str:
    """The SQL as Python's sqlite3 module takes it, converted once as Django's SQLite cursor
    converts it on every call."""
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def _execute(connection, compiled: _Compiled, values: dict[str, Any]):
    """Run the statement; return the driver's cursor.

    On SQLite, when nothing watches the queries (no execute wrapper, no debug log), the
    statement goes straight to the driver with its SQL converted at compile time: Django's
    cursor wrapper costs as much again as the query here. Errors still come out as Django's
    (IntegrityError and the rest), and a broken transaction is still refused."""
    params = compiled.bind(values, connection)
    if compiled.direct is not None and not (
        connection.execute_wrappers or connection.queries_logged
    ):
        connection.validate_no_broken_transaction()
        connection.validate_thread_sharing()
        if connection.connection is None:
            connection.ensure_connection()
        with connection.wrap_database_errors:
            return connection.connection.execute(compiled.direct, params)
    cursor = connection.cursor()
    cursor.execute(compiled.sql, params)
    return cursor


class _Statement(ABC):
    """Compiles lazily, once per connection object (one per thread and database alias)."""

    def __init__(self, using: str, slots: dict[str, type]) -> None:
        for kind in slots.values():
            _marker(kind, 0)  # refuses an unsupported kind at import time
        self.using = using
        self.slots = slots
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def markers(self) -> dict[str, Any]:
        return {name: _marker(kind, n) for n, (name, kind) in enumerate(self.slots.items())}

    def compiled(self):
        connection = connections[self.using]
        found = self._compiled.get(connection)
        if found is None:
            with self._lock:
                found = self._compile(connection)
                self._compiled[connection] = found
        return connection, found

    @abstractmethod
    def _compile(self, connection) -> _Compiled:
        """Build the queryset with markers and compile it for this connection."""


class Select(_Statement):
    """A read: `build(**markers)` returns a queryset of model instances or a `values_list`."""

    def __init__(self, build: Callable[..., models.QuerySet], using: str = "default", **slots):
        super().__init__(using, slots)
        self.build = build

    def _compile(self, connection):
        queryset = self.build(**self.markers())
        iterable = queryset._iterable_class
        if (
            iterable not in (ModelIterable, ValuesListIterable)
            or queryset._prefetch_related_lookups
        ):
            raise StatementError("a Select is a plain model queryset or a values_list")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        compiled = _Compiled(sql, params, self.slots, connection)
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        compiled.converters = list(compiler.get_converters(columns).items())
        compiled.make = None
        if iterable is ModelIterable:
            compiled.make = self._instance_maker(compiler, connection.alias)
        return compiled

    @staticmethod
    def _instance_maker(compiler, alias: str) -> Callable[[list], models.Model]:
        """Rows to instances exactly as Django's ModelIterable does (select_related included)."""
        select, klass_info = compiler.select, compiler.klass_info
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        annotations = list(compiler.annotation_col_map.items())

        def make(row: list) -> models.Model:
            obj = model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            return obj

        return make

    def all(self, **values) -> list:
        """Every row: model instances, or tuples for a values_list."""
        connection, compiled = self.compiled()
        cursor = _execute(connection, compiled, values)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [self._convert(row, compiled, connection) for row in rows]

    def first(self, **values):
        """The first row, or None (the queryset decides the order and should be sliced)."""
        found = self.all(**values)
        return found[0] if found else None

    @staticmethod
    def _convert(row: Iterable, compiled, connection):
        row = list(row)
        for position, (converters, expression) in compiled.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return compiled.make(row) if compiled.make is not None else tuple(row)


class _Write(_Statement):
    """A statement that changes rows and answers how many."""

    def __init__(self, build: Callable, using: str = "default", **slots):
        super().__init__(using, slots)
        self.build = build

    def run(self, **values) -> int:
        """Rows changed (or removed)."""
        connection, compiled = self.compiled()
        cursor = _execute(connection, compiled, values)
        try:
            return cursor.rowcount
        finally:
            cursor.close()


class Update(_Write):
    """A write to the rows of `build(**markers)`: it returns (queryset, {field: new value})."""

    def _compile(self, connection):
        queryset, changes = self.build(**self.markers())
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        if query.related_updates:
            raise StatementError("an Update changes one table")
        sql, params = query.get_compiler(connection=connection).as_sql()
        return _Compiled(sql, params, self.slots, connection)


class Delete(_Write):
    """Removes the rows of `build(**markers)` in one statement, as `QuerySet._raw_delete`
    does: only for a model that nothing refers to, since no cascade or signal runs."""

    def _compile(self, connection):
        queryset = self.build(**self.markers())
        if queryset.model._meta.related_objects:
            raise StatementError(f"rows of {queryset.model.__name__} are referred to elsewhere")
        query = queryset.query.chain(DeleteQuery)
        sql, params = query.get_compiler(connection=connection).as_sql()
        return _Compiled(sql, params, self.slots, connection)


class Insert(_Statement):
    """One new row of `model`: each slot names a field (its attname); every other field takes
    its default, which must not be computed per row (that would freeze it at compile time)."""

    def __init__(self, model: type[models.Model], using: str = "default", **slots):
        super().__init__(using, slots)
        self.model = model
        for field in model._meta.concrete_fields:
            if field.primary_key or field.attname in slots:
                continue
            if (
                (field.has_default() and callable(field.default))
                or getattr(field, "auto_now", False)
                or getattr(field, "auto_now_add", False)
            ):
                raise StatementError(f"{model.__name__}.{field.name} needs a slot")

    def _compile(self, connection):
        meta = self.model._meta
        obj = self.model(**self.markers())
        fields = [f for f in meta.concrete_fields if not f.generated and not f.primary_key]
        query = InsertQuery(self.model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [meta.pk]
        ((sql, params),) = compiler.as_sql()
        compiled = _Compiled(sql, params, self.slots, connection)
        compiled.returns = bool(compiler.returning_fields) and (
            connection.features.can_return_columns_from_insert
        )
        return compiled

    def save(self, obj: models.Model) -> models.Model:
        """Insert a new, unsaved instance, as `Model.objects.create` would: its slot fields
        are bound, and every other field must still hold its default."""
        for field in self.model._meta.concrete_fields:
            if field.primary_key or field.attname in self.slots:
                continue
            if getattr(obj, field.attname) != field.get_default():
                raise StatementError(f"{self.model.__name__}.{field.name} is not a slot")
        obj.pk = self.run(**{name: getattr(obj, name) for name in self.slots})
        obj._state.adding, obj._state.db = False, self.using
        return obj

    def run(self, **values) -> int:
        """The new row's primary key."""
        connection, compiled = self.compiled()
        meta = self.model._meta
        cursor = _execute(connection, compiled, values)
        try:
            if compiled.returns:
                return cursor.fetchone()[0]
            return connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        finally:
            cursor.close()
