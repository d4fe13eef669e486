"""`libdesk privacy purge` is safe to kill and run again (issue 12, deliverable 5): killed while
it deletes stored replies, then while it deletes old log files, it leaves the database whole
and each kind either purged or not (never half), and a second run finishes the job."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli.test_libdesk_command import env_for

pytestmark = [pytest.mark.slow, pytest.mark.once]

REPLIES = 200_000
LOG_DAYS = 3_000


def libdesk(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "libdesk", *args], env=env, capture_output=True, text=True, **kwargs
    )


def seed(database: Path, logs: Path) -> None:
    """Replies a year old (past their day), and years of daily log files (past 30 days)."""
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO api_idempotentreply (lookup, request_hash, status, sealed, loan_id,"
            " created_at) VALUES (?, ?, 201, 'sealed', NULL, '2025-01-01 00:00:00')",
            ((f"{n:064x}", f"{n:064x}") for n in range(REPLIES)),
        )
    logs.mkdir()
    for n in range(40, 40 + LOG_DAYS):
        (logs / f"libdesk-{date.today() - timedelta(days=n)}.log").write_text("a day\n")


def kill_when(process: subprocess.Popen, ready, timeout: float = 120) -> bool:
    """SIGKILL the purge once `ready()` says it is at work; answers whether it was."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.wait()
    return False


def replies(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute("SELECT count(*) FROM api_idempotentreply").fetchone()[0]


def test_a_killed_purge_leaves_whole_kinds_and_a_rerun_finishes(tmp_path):
    logs = tmp_path / "logs"
    env = {**env_for(tmp_path), "LIBDESK_LOG_DIR": str(logs), "LIBDESK_LOG_LEVEL": "WARNING"}
    assert libdesk(env, "migrate", "--no-input").returncode == 0
    database = tmp_path / "libdesk.sqlite3"
    seed(database, logs)
    wal = tmp_path / "libdesk.sqlite3-wal"
    command = [sys.executable, "-m", "libdesk", "privacy", "purge", "--json"]

    # 1. killed while a write transaction is under way (the write-ahead log grows)
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed_writing = kill_when(first, lambda: wal.exists() and wal.stat().st_size > 1_000_000)
    assert replies(database) in (0, REPLIES)  # all of the kind, or none of it

    # 2. killed while old log files are being deleted
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed_deleting = kill_when(second, lambda: len(list(logs.iterdir())) < LOG_DAYS)
    left = len(list(logs.iterdir()))
    assert 0 <= left <= LOG_DAYS
    assert killed_writing or killed_deleting, "no kill landed while the purge was at work"

    # 3. a run to the end finishes the job; one more finds nothing to do
    done = libdesk(env, "privacy", "purge", "--json", timeout=300)
    assert done.returncode == 0, done.stderr
    assert replies(database) == 0 and list(logs.iterdir()) == []
    again = json.loads(libdesk(env, "privacy", "purge", "--json", timeout=300).stdout)
    assert sum(again.values()) == 0
