"""Moving SQLite's WAL checkpoints off the desk's commits.

Why: by default the connection whose commit takes the WAL past 1,000 pages copies them into
the database file and fsyncs it, inside that request: a checkout that is usually 3 ms then
takes 10-20 ms (bench/README.md). libdesk's own connections only checkpoint past a much larger
WAL (10,000 pages, about 40 MB: `WAL_PRAGMAS` in settings, so the file cannot grow without
bound when nothing else runs), and
`libdesk run` starts a checkpointer beside the web server that runs a PASSIVE checkpoint every
second: it never waits for readers or writers, and durability is unchanged (every commit is in
the WAL, fsynced, before it is acknowledged).
"""

from __future__ import annotations

import signal
import time

from django.db import connection


def checkpoint() -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (busy, pages in the WAL, pages copied to the database)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, in_log, copied = cursor.fetchone()
    return busy, in_log, copied


def run_checkpointer(every: float = 1.0, *, rounds: int | None = None) -> None:
    """Checkpoint every `every` seconds until SIGTERM or SIGINT (or `rounds` are done)."""
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    done = 0
    while not stopping and (rounds is None or done < rounds):
        checkpoint()
        done += 1
        deadline = time.monotonic() + every
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, every))
    connection.close()
