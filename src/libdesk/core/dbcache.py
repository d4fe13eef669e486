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

import logging
import time
from contextlib import nullcontext
from datetime import timedelta

from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

from libdesk.core import clock
from libdesk.core.models import CacheCounter

logger = logging.getLogger(__name__)

_TABLE = CacheCounter._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (name, hits, expires) VALUES (%s, 1, %s) "  # noqa: S608
    f"ON CONFLICT (name) DO UPDATE SET hits = {_TABLE}.hits + 1 "
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
        """Count one hit on `key`, a counter that lives `timeout` seconds from its first hit
        (the caller's window: the key names it, so a new window is a new row, and a later hit
        leaves the expiry alone, which keeps the indexed column unwritten); the count so far,
        this hit included. Rows past their expiry are deleted by `expire`."""
        alias = router.db_for_write(CacheCounter)
        connection = connections[alias]
        if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
            count = self.get(key, 0) + 1
            self.set(key, count, timeout=timeout)
            return count
        expires = connection.ops.adapt_datetimefield_value(clock.now() + timedelta(seconds=timeout))
        # On SQLite, in a transaction, so that the hit queues with the other writers
        # (core/backends/sqlite3) rather than in SQLite's busy handler; PostgreSQL needs none.
        queued = transaction.atomic(using=alias) if connection.vendor == "sqlite" else nullcontext()
        with queued, connection.cursor() as cursor:
            cursor.execute(_UPSERT, [self.make_and_validate_key(key), expires])
            hits = cursor.fetchone()[0]
        if time.monotonic() - self._purged_at >= PURGE_EVERY_SECONDS:
            self._purged_at = time.monotonic()
            self._purge_counters(alias)
        return hits

    def _purge_counters(self, alias: str) -> None:
        """Expired counters, deleted by the request that counts; a failure costs that request
        nothing (its hit is counted), and the hourly retention purge catches up."""
        try:
            CacheCounter.objects.using(alias).filter(expires__lt=clock.now()).delete()
        except DatabaseError:
            logger.warning("expired rate-limit counters not purged this time", exc_info=True)

    def clear(self) -> None:
        """Every entry and every counter."""
        super().clear()
        CacheCounter.objects.using(router.db_for_write(CacheCounter)).all().delete()

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
        counted, _ = CacheCounter.objects.using(alias).filter(expires__lt=clock.now()).delete()
        return deleted + counted
