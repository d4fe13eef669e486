"""The read replica's pieces that need no second server (core/replica.py); the whole is
driven through a real primary and replica in tests/deploy/test_read_replica.py."""

from __future__ import annotations

import subprocess
import sys

from django.apps import apps
from django.conf import settings

from libdesk.core import patron_data, replica
from tests.cli.test_libdesk_command import env_for

INF = float("inf")


def test_only_tables_naming_no_patron_may_be_read_from_the_replica():
    models = {apps.get_model(label) for label in replica.REPLICA_MODELS}
    assert len(models) == len(replica.REPLICA_MODELS)
    assert not models & patron_data.registered_models()
    assert all(
        not any(f.related_model and f.related_model._meta.app_label == "patrons"
                for f in model._meta.get_fields())
        for model in models
    )  # fmt: skip


def test_an_idle_primary_is_no_lag_but_unreplayed_wal_is():
    # caught up with everything received: fresh, however old the last transaction
    assert replica.lag_of(True, True, True, 3600.0) == 0
    # WAL received but not replayed (replay paused or slow): the last replay's age
    assert replica.lag_of(True, True, False, 7.5) == 7.5
    # the receiver is disconnected: it cannot know, so the age bounds it
    assert replica.lag_of(True, False, True, 12.0) == 12.0
    assert replica.lag_of(True, False, False, None) == INF
    # promoted: never read as a replica
    assert replica.lag_of(False, True, True, 0.0) == INF


def test_without_a_replica_everything_is_the_default_database():
    assert "replica" not in settings.DATABASES
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    assert not replica.usable()
    with replica.catalogue_reads() as on_replica:
        assert on_replica is False


def test_a_replica_without_postgresql_is_refused_by_name(tmp_path):
    env = {
        **env_for(tmp_path),
        "LIBDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'libdesk.sqlite3'}",
        "LIBDESK_DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:5432/libdesk",
    }
    result = subprocess.run(
        [sys.executable, "-m", "libdesk", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "LIBDESK_DATABASE_REPLICA_URL: a read replica needs PostgreSQL" in result.stderr
