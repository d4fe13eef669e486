"""`field__any_of=values`: `__in` for the importer's long lists of keys.

Django writes `__in` as `IN (%s, %s, ...)`, one placeholder per value. With psycopg's
client-side binding (Django's default) such a statement is too long for psycopg's cache of
parsed queries, so every batch of 1,000 keys was split and quoted afresh in Python: a tenth of
the importer's time on PostgreSQL (bench/README.md, issue 17). On PostgreSQL this lookup sends
`= ANY(%s)` with the values as one array; elsewhere it is `IN (...)` as usual.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


class AnyOf(Lookup):
    """The column equals one of the values (an iterable; none matches nothing)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in set(self.rhs)]
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", [*lhs_params, *values]


def register() -> None:
    Field.register_lookup(AnyOf)
