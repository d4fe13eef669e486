"""Where each value of a compiled statement goes, found so that a wrong place cannot pass.

Why this module exists: a compiled statement (core/statements.py) binds new values to SQL that
Django compiled once. That is only right if Django would have sent each value to the database
as it is. The first version found each value's place by looking for a marker among the
compiled parameters, so a lookup that transformed its value escaped the check:
`name__iexact="a_b"` matched `axb`, because the LIKE escaping Django applies was skipped.

A statement is therefore built twice, with two different sets of marker values, and each build
is read before and after Django compiles it. Three rules, checked when the statement is built:

1. A slot that filters rows is the right-hand side of `=`, `<`, `<=`, `>` or `>=` against a
   column as it is stored (`exact`, `lt`, `lte`, `gt`, `gte`, on the column or through a
   foreign key). Every other lookup changes its value before binding it, or shapes the SQL by
   it, and is refused: `iexact`, `contains`, `startswith`, `endswith` and their `i` forms
   (LIKE escaping, case folding), `regex`, `in` and `range` (a list's length is SQL), `isnull`,
   date and year transforms (a value becomes a range), JSON lookups (encodings differ by
   database), a transform of the column (`name__lower=`), a value wrapped in an expression.
2. A slot that is written (an update's or an insert's value) is a plain value for one field,
   of the slot's kind.
3. Both builds compile to the same SQL text, and every parameter that differs between them is
   one slot's marker exactly as Django prepared it, as many times as the slot has places. A
   value hidden elsewhere (an expression, `extra()`, raw SQL) or reaching the SQL changed makes
   the counts disagree, and the statement is refused.

At call time each value is prepared by the Django code that prepared its marker: a new
instance of the very lookup class on the same column (`type(lookup)(column, value)`), so its
own preparation runs (integer rounding, foreign-key normalisation, the driver's adaptation);
or the field's `get_db_prep_save` for a written value, as Django's update and insert compilers
call it. When that lookup answers "no row can match" or "every row matches" for a value (an
integer beyond its column's range), Django would leave the comparison out of the SQL: that one
call runs through the ORM instead (`Unbindable`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import Field, lookups
from django.db.models.expressions import BaseExpression, Col, Value
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedLessThan,
    RelatedLessThanOrEqual,
    RelatedLookupMixin,
)
from django.db.models.sql import Query
from django.db.models.sql.where import WhereNode
from django.utils.datastructures import OrderedSet

SLOT_KINDS = (str, int, float, date, datetime, dict, list)  # dict, list: JSON

# The columns a slot of each kind may meet (Django's internal types), so its marker and its
# values are prepared as the column's own type, never converted from another.
COLUMNS_OF_KIND: dict[type, frozenset[str]] = {
    str: frozenset({"CharField", "TextField", "SlugField"}),
    int: frozenset(
        {
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        }
    ),
    float: frozenset({"FloatField"}),
    date: frozenset({"DateField"}),
    datetime: frozenset({"DateTimeField"}),
    dict: frozenset({"JSONField"}),
    list: frozenset({"JSONField"}),
}

# The lookups that bind their value as it is: exactly these classes, not their subclasses
# (`YearExact` is an `Exact` that turns a year into a range of dates; `JSONExact` encodes).
PLAIN_COMPARISONS = frozenset(
    {
        lookups.Exact,
        lookups.GreaterThan,
        lookups.GreaterThanOrEqual,
        lookups.LessThan,
        lookups.LessThanOrEqual,
        lookups.IntegerFieldExact,
        lookups.IntegerGreaterThan,
        lookups.IntegerGreaterThanOrEqual,
        lookups.IntegerLessThan,
        lookups.IntegerLessThanOrEqual,
        RelatedExact,
        RelatedGreaterThan,
        RelatedGreaterThanOrEqual,
        RelatedLessThan,
        RelatedLessThanOrEqual,
    }
)

_WHY_REFUSED = {
    "iexact": "escapes it for LIKE and folds its case",
    "contains": "escapes it for LIKE and wraps it in %",
    "icontains": "escapes it for LIKE, wraps it in % and folds its case",
    "startswith": "escapes it for LIKE and appends %",
    "istartswith": "escapes it for LIKE, appends % and folds its case",
    "endswith": "escapes it for LIKE and prepends %",
    "iendswith": "escapes it for LIKE, prepends % and folds its case",
    "regex": "matches it as a pattern",
    "iregex": "matches it as a pattern",
    "in": "takes a list, whose length is part of the SQL",
    "range": "takes a pair of bounds",
    "isnull": "turns it into SQL (IS NULL or IS NOT NULL)",
}


class StatementError(Exception):
    """A statement that cannot be compiled safely, or a call that gives it a value it cannot
    take: a programming error, reported with the statement's name and the slot."""


class Unbindable(Exception):
    """This value would change the SQL Django writes (the lookup answers without the
    database): the call runs through the ORM."""


def marker(kind: type, round_: int, n: int) -> Any:
    """A value of the slot's kind that no real query carries, unique per slot and per build.

    Strings hold LIKE's special characters, a backslash, quotes, both cases and letters
    beyond ASCII, so that any escaping, case folding or normalisation changes them. Numbers
    fit every column of their kind (a small integer column holds up to 32,767) and are
    valid years, so Django's own checks pass and the rules above decide."""
    if kind is str:
        return f"libdesk-slot-{round_}-{n} %_\\'\" Éé"
    if kind is int:
        return 7_000 + 100 * round_ + n
    if kind is float:
        return 7_000.25 + 100 * round_ + n
    if kind is datetime:
        return datetime(1901 + round_, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    if kind is date:
        return date(1901 + round_, 1, 1) + timedelta(days=n)
    if kind is dict:
        return {"libdesk-slot": f"{round_}-{n}"}
    if kind is list:
        return ["libdesk-slot", f"{round_}-{n}"]
    kinds = ", ".join(k.__name__ for k in SLOT_KINDS)
    raise StatementError(f"slots hold {kinds}; not {kind!r}")


class Markers:
    """One build's marker values, and how to recognise them in a built query."""

    def __init__(self, slots: dict[str, type], round_: int) -> None:
        if len(slots) >= 100:
            raise StatementError("a statement has fewer than 100 slots")
        self.kinds = slots
        self.values = {
            name: marker(kind, round_, n) for n, (name, kind) in enumerate(slots.items())
        }
        self.tokens = {name: [f"libdesk-slot-{round_}-{n}"] for n, name in enumerate(slots)}
        for name, value in self.values.items():  # as a text column would convert them
            if isinstance(value, date | float):
                self.tokens[name].append(str(value).casefold())

    def slot_of(self, value: Any) -> str | None:
        """The slot whose marker this value is, as it is (same type, same value)."""
        for name, wanted in self.values.items():
            if type(value) is type(wanted) and value == wanted:
                return name
        return None

    def slots_in(self, value: Any) -> list[str]:
        """Slots whose marker is this value or hides inside it (a list, a pair, a string
        built from it), so a changed or wrapped value is still named."""
        if (name := self.slot_of(value)) is not None:
            return [name]
        if isinstance(value, str):
            folded = value.casefold()
            return [n for n, tokens in self.tokens.items() if any(t in folded for t in tokens)]
        if isinstance(value, dict):
            value = [*value.keys(), *value.values()]
        if isinstance(value, list | tuple | set | frozenset | OrderedSet):
            return sorted({name for item in value for name in self.slots_in(item)})
        wrapped = getattr(value, "obj", None)  # psycopg's JSON wrappers
        return self.slots_in(wrapped) if wrapped is not None else []


def column_kind(model_field: Field) -> str:
    """The internal type of the column a field stores, through foreign keys."""
    while model_field.is_relation and getattr(model_field, "target_field", None) is not None:
        model_field = model_field.target_field
    return model_field.get_internal_type()


@dataclass
class Site:
    """One place a slot's value goes: a comparison in a filter, or a written field."""

    slot: str
    role: str  # "filter" or "write"
    column: Field
    prepare: Callable[[Any, Any], Any]  # (value, connection) -> the parameter Django sends
    signature: tuple = field(default=())  # sites of one slot must prepare alike
    visit: int | None = None  # where the reader met it (None: an insert's field)


def filter_site(slot: str, lookup: lookups.Lookup, visit: int | None = None) -> Site:
    """A comparison a slot's value goes through, prepared by the same lookup class."""
    kind, lhs = type(lookup), lookup.lhs

    def prepare(value: Any, connection) -> Any:
        try:
            sql, params = kind(lhs, value).process_rhs(None, connection)
        except (EmptyResultSet, FullResultSet) as answered:
            raise Unbindable from answered
        if sql != "%s" or len(params) != 1:  # a value that is SQL, or several: not bindable
            raise Unbindable
        return params[0]

    column = lhs.output_field
    signature = ("filter", issubclass(kind, RelatedLookupMixin), column_kind(column), id(column))
    return Site(slot, "filter", column, prepare, signature, visit)


def write_site(slot: str, model_field: Field, visit: int | None = None) -> Site:
    """A field a slot's value is written to, prepared as Django's update and insert
    compilers prepare it."""

    def prepare(value: Any, connection) -> Any:
        return model_field.get_db_prep_save(value, connection=connection)

    return Site(slot, "write", model_field, prepare, ("write", id(model_field)), visit)


class QueryReader:
    """Walks a built query: every comparison that takes a slot becomes a Site; anything
    else that holds a slot's marker becomes a problem in words. Every plain value met is a
    visit, in order, so the two builds can be read side by side: a constant that happens to
    equal one build's marker is not taken for a slot (it cannot equal the other's)."""

    def __init__(self, markers: Markers) -> None:
        self.markers = markers
        self.sites: list[Site] = []
        self.problems: list[str] = []
        self.visits: list[str | None] = []

    def _visit(self, value: Any) -> tuple[int, str | None]:
        slot = self.markers.slot_of(value)
        self.visits.append(slot)
        return len(self.visits) - 1, slot

    def read(self, node: Any) -> None:
        if node is None or isinstance(node, str):
            return
        if isinstance(node, Query):
            self._query(node)
        elif isinstance(node, WhereNode):
            for child in node.children:
                self.read(child)
        elif isinstance(node, lookups.Lookup):
            self._lookup(node)
        elif isinstance(node, Value):
            self._wrapped(node.value, "an expression (Value)")
        elif isinstance(node, BaseExpression):
            for source in node.get_source_expressions():
                self.read(source)

    def _query(self, query: Query) -> None:
        self.read(query.where)
        for expression in [*query.annotations.values(), *query.select]:
            self.read(expression)
        for expression in query.order_by:
            self.read(expression)
        if isinstance(query.group_by, tuple):
            for expression in query.group_by:
                self.read(expression)
        for combined in query.combined_queries:
            self.read(combined)

    def _lookup(self, lookup: lookups.Lookup) -> None:
        self.read(lookup.lhs)
        rhs = lookup.rhs
        if hasattr(rhs, "resolve_expression"):
            self.read(rhs)
            return
        visit, slot = self._visit(rhs)
        found = self.markers.slots_in(rhs)
        if not found:
            return
        name = lookup.lookup_name
        if isinstance(lookup.lhs, lookups.Transform):
            transform = getattr(lookup.lhs, "lookup_name", None) or type(lookup.lhs).__name__
            name = f"{transform}__{name}"
        if slot is None and type(lookup) in PLAIN_COMPARISONS:
            self.problems.append(self._changed(found[0], lookup, name))
        elif slot is None or type(lookup) not in PLAIN_COMPARISONS:
            why = _WHY_REFUSED.get(name, "does not bind it as it is")
            if isinstance(lookup.lhs, lookups.Transform):
                why = "compares a transform of the column (a value may become a range)"
            self.problems.append(
                f"{_slots_named(found)} goes through the `{name}` lookup, which {why}; a "
                f"slot may only be compared (=, <, <=, >, >=) with a column"
            )
        elif not isinstance(lookup.lhs, Col):
            self.problems.append(
                f"slot {slot!r} is compared with {lookup.lhs!r}, not with a column as it is stored"
            )
        else:
            self.sites.append(filter_site(slot, lookup, visit))

    def _changed(self, slot: str, lookup: lookups.Lookup, name: str) -> str:
        """Why a comparison holds a slot's value changed: converted to the column's type, or
        changed by the statement's own code."""
        kind, column = self.markers.kinds[slot], getattr(lookup.lhs, "output_field", None)
        if column is not None and column_kind(column) not in COLUMNS_OF_KIND[kind]:
            return (
                f"slot {slot!r} holds {kind.__name__} but meets {column.name} "
                f"({column_kind(column)}): Django would convert the value"
            )
        return f"slot {slot!r} reaches the `{name}` lookup changed: compare it as it is given"

    def _wrapped(self, value: Any, where: str) -> None:
        for slot in self.markers.slots_in(value):
            self.problems.append(
                f"slot {slot!r} is inside {where}; a slot may only be compared with a "
                f"column or written to a field as it is"
            )

    def write(self, model_field: Field, value: Any) -> None:
        """A value an update writes: a plain slot, or an expression holding none."""
        if hasattr(value, "resolve_expression"):
            self.read(value)
            return
        visit, slot = self._visit(value)
        if slot is not None:
            self.sites.append(write_site(slot, model_field, visit))
        else:
            self._wrapped(value, f"the value written to {model_field.name}")


def _slots_named(names: list[str]) -> str:
    if len(names) == 1:
        return f"slot {names[0]!r}"
    shown = ", ".join(repr(name) for name in names[:3])
    return f"slots {shown}" + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def same(param: Any, wanted: Any) -> bool:
    """Whether a compiled parameter is this value as the driver receives it (PostgreSQL wraps
    JSON in an object that compares by identity, so its payload is compared instead; its
    integer types must match too: Int8 is not Int4)."""
    if type(param) is not type(wanted):
        return False
    return param == wanted or getattr(param, "obj", param) == getattr(wanted, "obj", wanted)


@dataclass
class Build:
    """One build of a statement with one set of markers, compiled."""

    sql: str
    params: list
    sites: list[Site]
    problems: list[str]
    markers: Markers
    visits: list[str | None] = field(default_factory=list)


@dataclass
class Places:
    """Where each slot's value goes in the compiled parameters, and how it is prepared."""

    positions: dict[str, list[int]]
    prepare: dict[str, Callable[[Any, Any], Any]]
    filters: frozenset[str]  # slots that filter rows: None is refused for them
    columns: dict[str, Field]


def find_places(first: Build, second: Build, slots: dict[str, type], connection) -> Places:
    """Compare the two builds and return where each slot goes, or raise StatementError with
    every rule the statement breaks."""
    problems = [problem for problem in first.problems if problem in second.problems]
    if (
        first.sql != second.sql
        or len(first.params) != len(second.params)
        or len(first.visits) != len(second.visits)
    ):
        problems.append("the SQL text changes with the slots' values: a slot shapes the query")
        _refuse(problems)
    both = {
        i for i, (a, b) in enumerate(zip(first.visits, second.visits, strict=True)) if a and a == b
    }
    by_slot: dict[str, list[Site]] = {name: [] for name in slots}
    for site in first.sites:
        if site.visit is None or site.visit in both:
            by_slot[site.slot].append(site)
    for name, sites in by_slot.items():
        problems.extend(_site_problems(name, slots[name], sites))
    _refuse(problems)
    representative = {name: sites[0] for name, sites in by_slot.items() if sites}
    expected = {
        name: (
            site.prepare(first.markers.values[name], connection),
            site.prepare(second.markers.values[name], connection),
        )
        for name, site in representative.items()
    }
    positions: dict[str, list[int]] = {name: [] for name in slots}
    for index, (one, two) in enumerate(zip(first.params, second.params, strict=True)):
        if same(one, two):
            continue  # a constant of the query
        owner = next((n for n, (a, b) in expected.items() if same(one, a) and same(two, b)), None)
        if owner is None:
            named = first.markers.slots_in(one) or ["(unknown)"]
            problems.append(
                f"slot {named[0]!r} reaches the SQL changed, or by a way that is not a plain "
                f"comparison or written value ({one!r})"
            )
        else:
            positions[owner].append(index)
    for name, sites in by_slot.items():
        if not sites and not positions[name]:
            problems.append(f"slot {name!r} does not reach the SQL as a bound value")
        elif len(positions[name]) != len(sites):
            problems.append(
                f"slot {name!r} has {len(sites)} place(s) in the query but reaches the SQL "
                f"as a bound value {len(positions[name])} time(s)"
            )
    _refuse(problems)
    return Places(
        positions=positions,
        prepare={name: site.prepare for name, site in representative.items()},
        filters=frozenset(s.slot for s in first.sites if s.role == "filter"),
        columns={name: site.column for name, site in representative.items()},
    )


def _site_problems(name: str, kind: type, sites: list[Site]) -> list[str]:
    problems = []
    for site in sites:
        column = column_kind(site.column)
        if column not in COLUMNS_OF_KIND[kind]:
            problems.append(
                f"slot {name!r} holds {kind.__name__} but meets {site.column.name} "
                f"({column}): Django would convert the value"
            )
    if len({site.signature for site in sites}) > 1:
        problems.append(
            f"slot {name!r} goes to columns prepared differently "
            f"({', '.join(sorted({s.column.name for s in sites}))}): give each its own slot"
        )
    return problems


def _refuse(problems: list[str]) -> None:
    if problems:
        raise StatementError("; ".join(dict.fromkeys(problems)))
