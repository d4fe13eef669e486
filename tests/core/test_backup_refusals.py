"""`libdesk restore` refuses, naming what is wrong, a data dir or database that is not empty, a
damaged backup, one that does not hold what it counted, and one from a newer libdesk; and a
refused restore leaves nothing behind. `libdesk backup` never writes over a directory."""

import json
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_libdesk_command import env_for

pytestmark = [pytest.mark.slow, pytest.mark.once]


def libdesk(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        env=env_for(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> tuple[Path, Path]:
    """A migrated library and a backup of it."""
    root = tmp_path_factory.mktemp("backups")
    assert libdesk(root / "library", "migrate", "--no-input").returncode == 0
    made = libdesk(root / "library", "backup", str(root / "backup"))
    assert made.returncode == 0, made.stderr
    return root / "library", root / "backup"


def tables_in(data_dir: Path) -> list[str]:
    database = data_dir / "libdesk.sqlite3"
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]


def refused(data_dir: Path, backup: Path) -> str:
    done = libdesk(data_dir, "restore", str(backup))
    assert done.returncode != 0, done.stdout
    assert tables_in(data_dir) == []  # nothing half-written
    assert not [p.name for p in data_dir.iterdir() if "restoring" in p.name]
    return done.stderr


def test_the_backup_holds_its_keys_privately_and_never_overwrites(library):
    data_dir, backup = library
    for key in ("audit_key", "secret_key"):
        kept = backup / "keys" / key
        assert kept.read_text().strip() == (data_dir / key).read_text().strip()
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    again = libdesk(data_dir, "backup", str(backup))
    assert again.returncode != 0
    assert f"{backup} already exists and is not an empty directory" in again.stderr


def test_restore_refuses_what_is_not_empty(library, tmp_path):
    data_dir, backup = library
    live = libdesk(data_dir, "restore", str(backup))
    assert live.returncode != 0
    assert f"the database {data_dir / 'libdesk.sqlite3'} already has" in live.stderr
    assert "tables (accounts_" in live.stderr
    crowded = tmp_path / "crowded"
    (crowded / "exports").mkdir(parents=True)
    (crowded / "notes.txt").write_text("kept")
    said = refused(crowded, backup)
    assert f"the data directory {crowded} is not empty (it holds exports, notes.txt)" in said


def test_restore_refuses_a_damaged_or_miscounted_or_newer_backup(library, tmp_path):
    _, backup = library
    damaged = shutil.copytree(backup, tmp_path / "damaged")
    with (damaged / "database.sqlite3").open("r+b") as handle:
        handle.seek(5000)
        handle.write(b"\xff")
    said = refused(tmp_path / "a", damaged)
    assert f"{damaged / 'database.sqlite3'} does not match its checksum" in said

    miscounted = shutil.copytree(backup, tmp_path / "miscounted")
    manifest = json.loads((miscounted / "manifest.json").read_text())
    manifest["row_counts"]["audit_audithead"] += 1
    (miscounted / "manifest.json").write_text(json.dumps(manifest))
    said = refused(tmp_path / "b", miscounted)
    assert "does not hold what the backup counted: audit_audithead" in said

    newer = shutil.copytree(backup, tmp_path / "newer")
    manifest = json.loads((newer / "manifest.json").read_text())
    manifest["migrations"].append("audit.0999_from_the_future")
    manifest["libdesk_version"] = "9.0.0"
    (newer / "manifest.json").write_text(json.dumps(manifest))
    said = refused(tmp_path / "c", newer)
    assert "made by libdesk 9.0.0, whose migrations audit.0999_from_the_future" in said

    said = refused(tmp_path / "d", tmp_path / "nothing-here")
    assert "is not a libdesk backup: it has no manifest.json" in said
