"""ORM queries compiled once, then run again with new values: the desk's fast path.

Why: building a query costs Django far more than running it. On the reference machine a
one-row `get()` spends ~0.5 ms cloning querysets, resolving lookups and compiling SQL, and
~0.04 ms in the database; a checkout sends a dozen, so the circulation desk (checkout p95
5 ms, bench/README.md) cannot afford to rebuild them on every scan.

A `Select`, `Update`, `Insert` or `Delete` is written with the ORM like any other query, with
typed slots for its values. It is compiled by Django's own compiler, built twice with marker
values; afterwards each call binds new values to the same SQL and turns rows into model
instances the way Django's `ModelIterable` does. The SQL text always comes from the ORM and
values are always bound parameters, never formatted into the text (PRIVACY.md: "ORM only").

What makes a wrong answer impossible rather than unlikely:
- `core/statement_slots.py` refuses, when the statement is built, any slot that does not reach
  the SQL exactly as Django would send it: a slot filters only by `=`, `<`, `<=`, `>`, `>=`
  against a column; `iexact`, `contains`, `startswith`, `in`, `range`, `isnull`, transforms,
  JSON lookups and values inside expressions are refused, with the statement and slot named.
- A slot that filters rows refuses `None` when called: the compiled SQL says `= NULL`, which
  matches nothing, where the ORM would have written `IS NULL`. An insert's or an update's
  value may be `None`. A slot that shapes the query (a list of varying length, an optional
  clause) needs a statement of its own.
- Each value is prepared by the Django code that prepared its marker (the same lookup class
  on the same column, or the field's `get_db_prep_save`); a value for which Django would leave
  the comparison out (an integer beyond its column's range) runs that call through the ORM.
- Every statement registers itself when declared and is compiled when a process starts
  (`core/statement_registry.py`, a system check): a broken one stops `libdesk run`, `serve_web`,
  `db_worker` and CI, not a patron's checkout. `tests/core/test_statement_equivalence.py` runs
  every registered statement through this path and through the plain ORM with adversarial
  values on the test database (SQLite and PostgreSQL) and compares rows and tables.

`LIBDESK_FAST_STATEMENTS=0` (settings `LIBDESK["FAST_STATEMENTS"]`) runs every statement
through the plain ORM queryset it was written from: the same rows, slower. CI's PostgreSQL run
uses it that way; the SQLite run keeps the production path.

Every query goes through Django's cursor, so DEBUG's query log, `CaptureQueriesContext`, the
test suite's query counts and any `execute_wrapper` (monitoring) see exactly what production
runs. An earlier version handed SQLite statements straight to the sqlite3 driver when nothing
watched, so watching changed the path; it saved ~0.16 ms of a checkout's ~1 ms (bench/README.md,
issue 11), well inside the desk's targets.
"""

from __future__ import annotations

import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, router
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql import DeleteQuery, InsertQuery, UpdateQuery

from libdesk.core import statement_registry
from libdesk.core.statement_slots import (
    Build,
    Markers,
    Places,
    QueryReader,
    StatementError,
    Unbindable,
    find_places,
    marker,
    write_site,
)

__all__ = ["Delete", "Insert", "Select", "StatementError", "Update", "fast_statements"]


def fast_statements() -> bool:
    """Whether statements run compiled (the default) or through the plain ORM."""
    return settings.LIBDESK.get("FAST_STATEMENTS", True)


@dataclass
class Compiled:
    """One statement's SQL and where each slot's value goes, for one database alias."""

    sql: str
    params: list
    places: Places
    extra: dict = field(default_factory=dict)

    def bind(self, values: dict[str, Any], connection) -> list:
        """The parameters for these values; Unbindable when one would change the SQL."""
        params = list(self.params)
        positions = self.places.positions
        for name, prepare in self.places.prepare.items():
            value = prepare(values[name], connection)
            for position in positions[name]:
                params[position] = value
        return params


def _declared_at() -> tuple[str, int]:
    """The module and line that declared the statement (outside this module)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals.get("__name__", "?"), frame.f_lineno


class _Statement(ABC):
    """Compiled once per database alias (the SQL does not depend on the connection), when
    the process starts or on first use, whichever comes first."""

    def __init__(self, using: str, slots: dict[str, type]) -> None:
        for kind in slots.values():
            marker(kind, 0, 0)  # refuses an unsupported kind when declared
        self.using = using
        self.slots = dict(slots)
        self.module, self.line = _declared_at()
        self._name: str | None = None
        self._compiled: Compiled | None = None
        self._lock = threading.Lock()
        statement_registry.register(self)

    @property
    def name(self) -> str:
        """Where it is declared, as `module.NAME` (or `module.NAME[key]` for a statement
        kept in a dict), found in its module once that module has been imported."""
        if self._name is None:
            found = statement_registry.name_in_module(self)
            if found is None:
                return f"{self.module} (line {self.line})"
            self._name = found
        return self._name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    def compiled(self) -> tuple[Any, Compiled]:
        """This thread's connection and the statement compiled for its database."""
        connection = connections[self.using]
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = self._compile(connection)
                compiled = self._compiled
        return connection, compiled

    def _compile(self, connection) -> Compiled:
        try:
            first, extra = self._build(Markers(self.slots, 0), connection)
            second, _ = self._build(Markers(self.slots, 1), connection)
            places = find_places(first, second, self.slots, connection)
        except DatabaseError:
            raise  # the database could not be reached: not the statement's fault
        except EmptyResultSet as never:
            raise StatementError(f"statement {self.name}: it can never match a row") from never
        except Exception as error:  # FieldError, ValueError...: a programming error
            raise StatementError(f"statement {self.name}: {error}") from error
        return Compiled(first.sql, first.params, places, extra)

    @abstractmethod
    def _build(self, markers: Markers, connection) -> tuple[Build, dict]:
        """Build the query with these markers, read it, and compile it."""

    def _checked(self, values: dict[str, Any]) -> tuple[Any, Compiled]:
        """Refuse missing or unknown slots, and None in a slot that filters rows."""
        if values.keys() != self.slots.keys():
            missing = sorted(self.slots.keys() - values.keys())
            extra = sorted(values.keys() - self.slots.keys())
            raise StatementError(f"statement {self.name}: slots missing {missing}, unknown {extra}")
        connection, compiled = self.compiled()
        for name in compiled.places.filters:
            if values[name] is None:
                raise StatementError(
                    f"statement {self.name}: slot {name!r} filters rows and was given None; "
                    f"the compiled SQL compares with = (never IS NULL), so it would match "
                    f"nothing: write a statement that filters on __isnull instead"
                )
        return connection, compiled

    def _execute(self, values: dict[str, Any]):
        """Run the compiled SQL with these values through Django's cursor. Returns (cursor,
        connection, compiled); the cursor is None when the call must go through the ORM: the
        fast path is off, or a value would change the SQL (Unbindable)."""
        connection, compiled = self._checked(values)
        if not fast_statements():
            return None, connection, compiled
        try:
            params = compiled.bind(values, connection)
        except Unbindable:
            return None, connection, compiled
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, params)
        except BaseException:
            cursor.close()
            raise
        return cursor, connection, compiled


class Select(_Statement):
    """A read: `build(**slots)` returns a queryset of model instances or a `values_list`."""

    def __init__(self, build: Callable[..., models.QuerySet], using: str = "default", **slots):
        super().__init__(using, slots)
        self.build = build
        self.model: type[models.Model] | None = None

    def compiled(self) -> tuple[Any, Compiled]:
        """As for any statement, but on the connection the router picks for the model when
        the statement was declared on `default`: the read replica serves the anonymous
        catalogue's reads (core/replica.py). The SQL is the same on both: both are
        PostgreSQL."""
        connection, compiled = super().compiled()
        if self.using == DEFAULT_DB_ALIAS and self.model is not None:
            alias = router.db_for_read(self.model)
            if alias != connection.alias:
                connection = connections[alias]
        return connection, compiled

    def _build(self, markers: Markers, connection) -> tuple[Build, dict]:
        queryset = self.build(**markers.values)
        self.model = queryset.model
        if (
            queryset._iterable_class not in (ModelIterable, ValuesListIterable)
            or queryset._prefetch_related_lookups
            or queryset._known_related_objects
        ):
            raise StatementError("a Select is a plain model queryset or a values_list")
        reader = QueryReader(markers)
        reader.read(queryset.query)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        build = Build(sql, list(params), reader.sites, reader.problems, markers, reader.visits)
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        extra = {
            "converters": list(compiler.get_converters(columns).items()),
            "make": None,
            "width": compiler.col_count if compiler.has_extra_select else None,
        }
        if queryset._iterable_class is ModelIterable:
            extra["make"] = _instance_maker(compiler, connection.alias)
        return build, extra

    def all(self, **values) -> list:
        """Every row: model instances, or tuples for a values_list."""
        cursor, connection, compiled = self._execute(values)
        if cursor is None:
            return list(self.build(**values).using(connection.alias))
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [_convert(row, compiled.extra, connection) for row in rows]

    def first(self, **values):
        """The first row, or None (the queryset decides the order and should be sliced)."""
        found = self.all(**values)
        return found[0] if found else None


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


def _convert(row: Iterable, extra: dict, connection):
    """One fetched row as Django's `results_iter` converts it, then as an instance or a tuple."""
    row = list(row) if extra["width"] is None else list(row)[: extra["width"]]
    for position, (converters, expression) in extra["converters"]:
        value = row[position]
        for converter in converters:
            value = converter(value, expression, connection)
        row[position] = value
    return extra["make"](row) if extra["make"] is not None else tuple(row)


class _Write(_Statement):
    """A statement that changes rows and answers how many."""

    def __init__(self, build: Callable, using: str = "default", **slots):
        super().__init__(using, slots)
        self.build = build

    def run(self, **values) -> int:
        """Rows changed (or removed)."""
        cursor, _, _ = self._execute(values)
        if cursor is None:
            return self._run_orm(values)
        try:
            return cursor.rowcount
        finally:
            cursor.close()

    @abstractmethod
    def _run_orm(self, values: dict[str, Any]) -> int:
        """The same change through the plain ORM."""

    @staticmethod
    def _unsliced(queryset: models.QuerySet) -> models.QuerySet:
        if queryset.query.is_sliced:
            raise StatementError("an Update or Delete takes a queryset that is not sliced")
        return queryset


class Update(_Write):
    """A write to the rows of `build(**slots)`: it returns (queryset, {field: new value})."""

    def _build(self, markers: Markers, connection) -> tuple[Build, dict]:
        queryset, changes = self.build(**markers.values)
        reader = QueryReader(markers)
        reader.read(self._unsliced(queryset).query)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        if query.related_updates:
            raise StatementError("an Update changes one table")
        for model_field, _model, value in query.values:
            reader.write(model_field, value)
        sql, params = query.get_compiler(connection=connection).as_sql()
        return Build(sql, list(params), reader.sites, reader.problems, markers, reader.visits), {}

    def _run_orm(self, values: dict[str, Any]) -> int:
        queryset, changes = self.build(**values)
        return queryset.using(self.using).update(**changes)


class Delete(_Write):
    """Removes the rows of `build(**slots)` in one statement, as `QuerySet._raw_delete`
    does: only for a model that nothing refers to, since no cascade or signal runs."""

    def _build(self, markers: Markers, connection) -> tuple[Build, dict]:
        queryset = self._unsliced(self.build(**markers.values))
        if queryset.model._meta.related_objects:
            raise StatementError(f"rows of {queryset.model.__name__} are referred to elsewhere")
        reader = QueryReader(markers)
        reader.read(queryset.query)
        query = queryset.query.chain(DeleteQuery)
        sql, params = query.get_compiler(connection=connection).as_sql()
        return Build(sql, list(params), reader.sites, reader.problems, markers, reader.visits), {}

    def _run_orm(self, values: dict[str, Any]) -> int:
        return self.build(**values).using(self.using)._raw_delete(self.using)


class Insert(_Statement):
    """One new row of `model`: each slot names a field (its attname); every other field takes
    its default, which must not be computed per row (that would freeze it at compile time)."""

    def __init__(self, model: type[models.Model], using: str = "default", **slots):
        super().__init__(using, slots)
        self.model = model
        for model_field in model._meta.concrete_fields:
            if model_field.primary_key or model_field.attname in slots:
                continue
            if (
                (model_field.has_default() and callable(model_field.default))
                or getattr(model_field, "auto_now", False)
                or getattr(model_field, "auto_now_add", False)
            ):
                raise StatementError(
                    f"statement {self.name}: {model.__name__}.{model_field.name} needs a slot"
                )

    def _build(self, markers: Markers, connection) -> tuple[Build, dict]:
        meta = self.model._meta
        reader = QueryReader(markers)
        for name in self.slots:
            reader.sites.append(write_site(name, meta.get_field(name)))
        obj = self.model(**markers.values)
        fields = [f for f in meta.concrete_fields if not f.generated and not f.primary_key]
        query = InsertQuery(self.model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [meta.pk]
        ((sql, params),) = compiler.as_sql()
        returns = bool(compiler.returning_fields) and (
            connection.features.can_return_columns_from_insert
        )
        build = Build(sql, list(params), reader.sites, reader.problems, markers, reader.visits)
        return build, {"returns": returns}

    def save(self, obj: models.Model) -> models.Model:
        """Insert a new, unsaved instance, as `Model.objects.create` would: its slot fields
        are bound, and every other field must still hold its default."""
        for model_field in self.model._meta.concrete_fields:
            if model_field.primary_key or model_field.attname in self.slots:
                continue
            if getattr(obj, model_field.attname) != model_field.get_default():
                raise StatementError(
                    f"statement {self.name}: {self.model.__name__}.{model_field.name} is not a slot"
                )
        obj.pk = self.run(**{name: getattr(obj, name) for name in self.slots})
        obj._state.adding, obj._state.db = False, self.using
        return obj

    def run(self, **values) -> int:
        """The new row's primary key."""
        cursor, connection, compiled = self._execute(values)
        if cursor is None:
            return self.model._default_manager.db_manager(self.using).create(**values).pk
        meta = self.model._meta
        try:
            if compiled.extra["returns"]:
                return cursor.fetchone()[0]
            return connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        finally:
            cursor.close()
