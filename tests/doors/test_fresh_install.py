"""On a fresh install two processes see one cache (a rate-limit counter written by one web
process is read by the next), whether it is the default on SQLite (files beside the database)
or the database cache, whose table `libdesk migrate` makes."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.canaries import LOGS

pytestmark = [pytest.mark.slow, pytest.mark.once]

SETUP = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'libdesk.settings'); "
    "django.setup(); from django.core.cache import cache; "
)


def env_for(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_") or k in LOGS}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, "LIBDESK_DATA_DIR": str(data_dir), **settings}


def run(data_dir: Path, *args: str, **settings: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        env=env_for(data_dir, **settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def counted_by_two_processes(data_dir: Path, **settings: str) -> str:
    increment = "cache.set('counted-by-one', 41, 60); cache.incr('counted-by-one')"
    run(data_dir, "-c", SETUP + increment, **settings)
    return run(data_dir, "-c", SETUP + "print(cache.get('counted-by-one'))", **settings).strip()


def test_processes_share_the_default_cache_on_sqlite(tmp_path):
    run(tmp_path, "-m", "libdesk", "migrate", "--no-input")
    assert counted_by_two_processes(tmp_path) == "42"
    assert (tmp_path / "cache").is_dir()  # beside the database, not in it


def test_migrate_makes_the_database_cache_table_and_processes_share_it(tmp_path):
    database_cache = {"LIBDESK_CACHE_URL": "db://"}
    run(tmp_path, "-m", "libdesk", "migrate", "--no-input", **database_cache)
    with sqlite3.connect(tmp_path / "libdesk.sqlite3") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "libdesk_cache" in tables
    run(tmp_path, "-m", "libdesk", "migrate", "--no-input", **database_cache)  # changes nothing
    assert counted_by_two_processes(tmp_path, **database_cache) == "42"
