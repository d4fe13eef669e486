"""On a fresh install, `libdesk migrate` makes the cache's table, and two processes see one
cache: a rate-limit counter written by one web process is read by the next."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.once]

SETUP = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'libdesk.settings'); "
    "django.setup(); from django.core.cache import cache; "
)


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LIBDESK_DATA_DIR"] = str(data_dir)
    return env


def run(data_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], env=env_for(data_dir), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_migrate_makes_the_cache_table_and_processes_share_the_cache(tmp_path):
    run(tmp_path, "-m", "libdesk", "migrate", "--no-input")
    with sqlite3.connect(tmp_path / "libdesk.sqlite3") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "libdesk_cache" in tables
    run(tmp_path, "-m", "libdesk", "migrate", "--no-input")  # a second run changes nothing
    run(tmp_path, "-c", SETUP + "cache.set('counted-by-one', 41, 60); cache.incr('counted-by-one')")
    assert run(tmp_path, "-c", SETUP + "print(cache.get('counted-by-one'))").strip() == "42"
