"""The database cache libdesk uses by default on PostgreSQL (`db://`), with counters it can
count in one statement.

Django's database cache stores each value pickled, so a counter could only be read and written
again: a `get`, then a `set` that counts the whole cache table (to cull it), reads the key and
updates it in a transaction, and commits. Every catalogue search counts one hit against its
address's limit, so on PostgreSQL that was five round trips and a WAL flush on a third of the
requests (bench/README.md, issue 17). Here a hit is one upsert into `core_cachecounter`, whose
answer is the new count: exact under concurrent hits, with no read before it.

On PostgreSQL that table is UNLOGGED (migration core 0005): its writes skip the write-ahead log,
so a commit that only counted does not wait for a disk flush, and the rows are not replicated.
A crash empties it, which forgives every caller their current window: counters against abuse
are worth less than a flush on every search.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

from libdesk.core import clock
from libdesk.core.models import CacheCounter

_TABLE = CacheCounter._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (name, hits, expires) VALUES (%s, 1, %s) "  # noqa: S608
    f"ON CONFLICT (name) DO UPDATE SET hits = {_TABLE}.hits + 1, expires = excluded.expires "
    "RETURNING hits"
)


PURGE_EVERY_SECONDS = 60.0
"""How often a thread that counts also deletes the counters past their expiry, so that many
callers within the hour between two retention purges do not grow the table without bound (the
cache table itself is culled by Django past MAX_ENTRIES)."""


class CountingDatabaseCache(DatabaseCache):
    """Django's database cache, plus `count_hit`: counters in a table of their own."""

    _purged_at = float("-inf")

    def count_hit(self, key: str, timeout: int) -> int:
        """Count one hit on `key`, a counter that lives `timeout` seconds from now; the count so
        far, this hit included. The caller puts the window in the key, so a new window is a new
        row; rows past their expiry are deleted by `expire`."""
        alias = router.db_for_write(CacheCounter)
        connection = connections[alias]
        expires = connection.ops.adapt_datetimefield_value(clock.now() + timedelta(seconds=timeout))
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, [self.make_and_validate_key(key), expires])
            hits = cursor.fetchone()[0]
        if time.monotonic() - self._purged_at >= PURGE_EVERY_SECONDS:
            self._purged_at = time.monotonic()
            CacheCounter.objects.using(alias).filter(expires__lt=clock.now()).delete()
        return hits

    def clear(self) -> None:
        """Every entry and every counter."""
        super().clear()
        CacheCounter.objects.all().delete()

    def expire(self) -> int:
        """Delete what is past its expiry, in the cache table (as Django's own cull compares
        expiry times) and among the counters; how many went (the retention purge's count)."""
        alias = router.db_for_write(CacheCounter)
        connection = connections[alias]
        table = connection.ops.quote_name(self._table)
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608
            deleted = max(cursor.rowcount, 0)
        counted, _ = CacheCounter.objects.filter(expires__lt=clock.now()).delete()
        return deleted + counted
