"""Django's PostgreSQL backend, for values bound server-side.

libdesk sends values apart from the SQL on PostgreSQL (server-side binding, settings.py): the
server prepares a statement a connection repeats, and psycopg no longer quotes each value into
the SQL in Python (the load test: PostgreSQL's time per request 3.1 -> 1.4 ms). The protocol
then carries at most 65,535 values per statement, a limit client-side binding never met, and
Django, which knows none on PostgreSQL, would send a 100,000-row `bulk_create` or an `__in` of
100,000 ids as one statement. So here: bulk writes and deletions go in batches under the limit,
`in_bulk` reads in batches, and a long `__in` list travels as one array (`= ANY(%s)`).
"""

from __future__ import annotations

from django.db.backends.postgresql import base, features, operations

MAX_VALUES = 65_535  # libpq: a statement's parameters are counted in 16 bits
LONG_IN = 10_000  # values in an `__in` list past which it is sent as one array


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = MAX_VALUES  # QuerySet.in_bulk reads its ids in batches this size


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs) -> int:
        """Rows per statement for bulk_create, bulk_update and deletions: as many as the
        limit on values allows (Django's default is every row in one statement)."""
        if not objs:
            return len(objs)
        return max(1, min(len(objs), MAX_VALUES // max(1, len(fields))))


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
