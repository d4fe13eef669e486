"""A command run outside the project folder: it says which data directory it uses and, when
that holds no database, says how to make one, creating nothing (it used to make `./var`
where it stood and die with a traceback about a missing table)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each run starts a new process


def libdesk(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_outside_a_library_says_to_migrate_and_creates_nothing(tmp_path):
    done = libdesk(tmp_path, "policies", "list")
    assert done.returncode == 2
    assert f"data directory {tmp_path / 'var'}" in done.stderr
    assert "libdesk migrate" in done.stderr and "LIBDESK_DATA_DIR" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_an_empty_database_left_by_an_older_run_is_named_too(tmp_path):
    (tmp_path / "var").mkdir()
    sqlite3.connect(tmp_path / "var" / "libdesk.sqlite3").close()
    done = libdesk(tmp_path, "catalog", "reindex")
    assert done.returncode == 2 and "no libdesk tables" in done.stderr
    assert "libdesk migrate" in done.stderr and "Traceback" not in done.stderr


def test_the_data_dir_named_in_the_environment_is_the_one_used(tmp_path):
    library = tmp_path / "library"
    done = libdesk(tmp_path, "policies", "list", LIBDESK_DATA_DIR=str(library))
    assert done.returncode == 2 and f"data directory {library}" in done.stderr
    assert not library.exists() and not (tmp_path / "var").exists()


def test_migrate_creates_the_library_and_then_commands_work(tmp_path):
    made = libdesk(tmp_path, "migrate", "--no-input")
    assert made.returncode == 0, made.stderr
    assert f"data directory {tmp_path / 'var'}" in made.stderr
    assert (tmp_path / "var" / "libdesk.sqlite3").is_file()
    listed = libdesk(tmp_path, "policies", "list")
    assert listed.returncode == 0, listed.stderr
    assert f"data directory {tmp_path / 'var'}" in listed.stderr


def test_help_needs_no_library(tmp_path):
    done = libdesk(tmp_path, "catalog", "import", "--help")
    assert done.returncode == 0 and "FILE" in done.stdout and "Traceback" not in done.stderr
