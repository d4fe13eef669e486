"""The privacy officer's walk with the real `libdesk` command, in separate processes on a fresh
SQLite library: take an anchor, verify against it, then someone with the database file (and no
key) edits an entry and recomputes every later hash, or cuts the tail and moves the head back;
`libdesk audit verify --anchor` fails, naming the entry or the anchor."""

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.once]

SELECT_FROM = (
    "SELECT seq, at, actor_kind, actor_id, actor_role, workstation, branch, action, "
    "object_type, object_id, patron_id, data_kind, reason FROM audit_auditentry "
    "WHERE seq >= ? ORDER BY seq"
)


def libdesk(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LIBDESK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def library(tmp_path) -> Path:
    for command in (("migrate", "--no-input"), ("demo", "load")):
        done = libdesk(tmp_path, *command)
        assert done.returncode == 0, done.stderr
    return tmp_path


def forge_from(db: sqlite3.Connection, seq: int) -> None:
    """Recompute every hash from `seq` on as a forger without the key can: plain SHA-256."""
    prev = db.execute("SELECT hash FROM audit_auditentry WHERE seq = ?", [seq - 1]).fetchone()[0]
    for row in db.execute(SELECT_FROM, [seq]).fetchall():
        forged = hashlib.sha256(json.dumps([*row, prev]).encode()).hexdigest()
        db.execute(
            "UPDATE audit_auditentry SET prev_hash = ?, hash = ? WHERE seq = ?",
            [prev, forged, row[0]],
        )
        prev = forged
    db.execute("UPDATE audit_audithead SET hash = ?", [prev])
    db.commit()


def cut_after(db: sqlite3.Connection, seq: int) -> None:
    """Delete the newest entries and move the head back onto entry `seq`."""
    db.execute("DELETE FROM audit_auditentry WHERE seq > ?", [seq])
    last = db.execute("SELECT hash FROM audit_auditentry WHERE seq = ?", [seq]).fetchone()[0]
    db.execute("UPDATE audit_audithead SET seq = ?, hash = ?", [seq, last])
    db.commit()


def test_anchor_verify_and_two_forgeries_through_the_command(library):
    key = library / "audit_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    anchor = library / "anchor.json"
    taken = libdesk(library, "audit", "anchor", "--out", str(anchor))
    assert taken.returncode == 0 and "keep it away from this server" in taken.stdout
    seq = json.loads(anchor.read_text())["seq"]
    clean = libdesk(library, "audit", "verify", "--anchor", str(anchor))
    assert clean.returncode == 0 and f"{seq} entries checked and 1 anchors" in clean.stdout

    db = sqlite3.connect(library / "libdesk.sqlite3")
    cut_after(db, seq - 5)
    assert libdesk(library, "audit", "verify").returncode == 0  # a clean cut, without an anchor
    against = libdesk(library, "audit", "verify", "--anchor", str(anchor))
    assert against.returncode != 0
    assert f"anchor {anchor} (entry {seq}" in against.stderr
    assert f"the log ends at entry {seq - 5}" in against.stderr

    db.execute("UPDATE audit_auditentry SET actor_id = '999' WHERE seq = 3")
    forge_from(db, 3)
    edited = libdesk(library, "audit", "verify")
    assert edited.returncode != 0
    assert "entry 3 was changed after it was written" in edited.stderr
