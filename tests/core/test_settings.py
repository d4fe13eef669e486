"""Settings come from the environment; the embedded database is crash-safe."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection


def settings_in_subprocess(tmp_path, **env: str) -> dict:
    """Start a fresh interpreter with `env` and report the settings it computed."""
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "db = settings.DATABASES['default'];"
        "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']),"
        " 'tz': settings.TIME_ZONE, 'bind': settings.BIND,"
        " 'secure': settings.SESSION_COOKIE_SECURE,"
        " 'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0),"
        " 'data': str(settings.DATA_DIR)}))"
    )
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    full_env.update({"DJANGO_SETTINGS_MODULE": "libdesk.settings", **env})
    out = subprocess.run(
        [sys.executable, "-c", code], env=full_env, cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_defaults_are_sqlite_in_var_on_loopback_in_kenoras_zone(tmp_path):
    found = settings_in_subprocess(tmp_path)
    assert found["engine"] == "libdesk.core.backends.sqlite3"  # Django's, writers queued
    assert found["name"] == str(tmp_path / "var" / "libdesk.sqlite3")
    assert found["tz"] == "America/Winnipeg"
    assert found["bind"] == "127.0.0.1"
    assert found["secure"] is False


def test_absolute_sqlite_path_and_data_dir_and_https(tmp_path):
    found = settings_in_subprocess(
        tmp_path,
        LIBDESK_DATA_DIR=str(tmp_path / "data"),
        LIBDESK_DATABASE_URL=f"sqlite:///{tmp_path}/elsewhere.sqlite3",
        LIBDESK_TIME_ZONE="America/Toronto",
        LIBDESK_HTTPS="1",
    )
    assert found["name"] == f"{tmp_path}/elsewhere.sqlite3"
    assert found["data"] == str(tmp_path / "data")
    assert found["tz"] == "America/Toronto"
    assert found["secure"] is True and found["hsts"] > 0


def test_postgres_url_selects_postgresql(tmp_path):
    found = settings_in_subprocess(
        tmp_path, LIBDESK_DATABASE_URL="postgres://postgres@127.0.0.1:5432/libdesk"
    )
    assert found["engine"] == "libdesk.core.backends.postgresql"  # Django's, values capped
    assert found["name"] == "libdesk"


@pytest.mark.django_db
def test_an_acknowledged_commit_is_durable():
    """SQLite: WAL with synchronous=FULL and a busy timeout; PostgreSQL: synchronous commit."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        else:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
            cursor.execute("SHOW fsync")
            assert cursor.fetchone()[0] == "on"
