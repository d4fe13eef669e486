"""Django's SQLite backend, with libdesk's transactions queued on a lock file.

SQLite lets one writer in at a time, and libdesk's transactions take the write lock when they
begin (BEGIN IMMEDIATE, settings.py). A transaction that finds it taken waits in SQLite's busy
handler, which sleeps in growing steps of up to 100 ms before looking again: under load a
waiting checkout slept long after the lock was free while newcomers went first, so writes
took over a second at the 95th percentile while reads took 0.2 s (bench/README.md, issue 17).
Here each transaction first takes an exclusive `flock` on a file beside the database, looked at
again after half a millisecond, then at most every 2 ms, so the next writer goes in soon
after the last one leaves.
SQLite's own lock and busy timeout still guard the database itself (another program, a write
outside a transaction); this only orders libdesk's own writers, across threads and processes.
"""

from __future__ import annotations

import fcntl
import os
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.002  # seconds between looks at a taken lock


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's SQLite wrapper whose transactions hold the writers' lock from BEGIN to the
    end (commit, rollback or close)."""

    _writers_fd: int | None = None
    _holding = False

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writers_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writers_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writers_lock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_writers_lock()
            if self._writers_fd is not None:
                os.close(self._writers_fd)
                self._writers_fd = None

    def _take_writers_lock(self) -> None:
        path = writers_lock_path(self.settings_dict["NAME"])
        if path is None or self._holding:
            return
        if self._writers_fd is None:
            try:
                self._writers_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:  # a folder this process may not write: SQLite's own lock only
                return
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self._writers_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError(
                        f"database is locked: another libdesk transaction held {path} longer "
                        "than the busy timeout"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
        self._holding = True

    def _release_writers_lock(self) -> None:
        if self._holding and self._writers_fd is not None:
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)
        self._holding = False


def writers_lock_path(name) -> str | None:
    """The lock file beside a database file; None for a database in memory."""
    name = str(name)
    if not name or name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
        return None
    return f"{name}-writers"
