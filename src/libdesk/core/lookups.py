"""Lookups for long lists of values.

`field__any_of=values` is `__in` sent as one array on PostgreSQL (`= ANY(%s)`), and `IN (...)`
elsewhere. The importer's batches of 1,000 keys used it first: an `IN (%s, %s, ...)` that long
is past psycopg's cache of parsed statements, so each batch's was parsed afresh in Python (a
tenth of the importer's time on PostgreSQL; bench/README.md, issue 17).

Every `__in` does the same on PostgreSQL past `LONG_IN` values: a statement there carries at
most 65,535 values (core/backends/postgresql/base.py), so a longer list must be one array.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup, QuerySet
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

from libdesk.core.backends.postgresql.base import LONG_IN


class AnyOf(Lookup):
    """The column equals one of the values: an iterable of plain values, None ignored as
    `__in` ignores it (NULL equals nothing); none at all matches nothing."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        if isinstance(self.rhs, (QuerySet, str, bytes)) or hasattr(self.rhs, "resolve_expression"):
            raise TypeError("any_of takes a list of values, not a query, expression or string")
        return tuple(value for value in self.rhs if value is not None)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        prepared = (field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs)
        values = list(dict.fromkeys(prepared))
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", [*lhs_params, *values]


class _ArrayWhenLong:
    """`__in` as Django writes it, except a list longer than LONG_IN on PostgreSQL."""

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql" or not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        if len(self.rhs) <= LONG_IN:
            return super().as_sql(compiler, connection)
        rhs, values = self.process_rhs(compiler, connection)  # None dropped, values prepared
        if rhs != "(" + ", ".join(["%s"] * len(values)) + ")":  # an expression among them
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(values)]


class LongIn(_ArrayWhenLong, In):
    pass


class LongRelatedIn(_ArrayWhenLong, RelatedIn):
    pass


def register() -> None:
    Field.register_lookup(AnyOf)
    Field.register_lookup(LongIn)  # lookup_name "in": takes the place of Django's
    ForeignObject.register_lookup(LongRelatedIn)
