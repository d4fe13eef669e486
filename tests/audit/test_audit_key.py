"""The audit key lives outside the database: LIBDESK_AUDIT_KEY, or `<data dir>/audit_key`
generated once (mode 0600). A new key takes over from a recorded entry (`libdesk audit
rotate-key`); older entries and anchors verify with the old key for as long as it is kept."""

import os
import stat
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from libdesk.audit import chain, keys, services
from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from libdesk.core import clock

OLD = "the library's first audit key, long enough to be one"
NEW = "the library's second audit key, long enough to be one"
READ_KEY = "from django.conf import settings; print(settings.AUDIT_KEY)"


def settings_in_a_new_process(data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    return subprocess.run(
        [sys.executable, "-c", READ_KEY],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "libdesk.settings",
            "LIBDESK_DATA_DIR": str(data_dir),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_key_is_generated_once_into_the_data_dir_readable_by_its_owner_only(tmp_path):
    first = settings_in_a_new_process(tmp_path)
    assert first.returncode == 0, first.stderr
    path = tmp_path / "audit_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first.stdout.strip() and len(first.stdout.strip()) >= 32
    assert settings_in_a_new_process(tmp_path).stdout == first.stdout


def test_the_environment_names_the_key_and_a_short_one_is_refused(tmp_path):
    given = settings_in_a_new_process(tmp_path, LIBDESK_AUDIT_KEY=NEW)
    assert given.stdout.strip() == NEW and not (tmp_path / "audit_key").exists()
    short = settings_in_a_new_process(tmp_path, LIBDESK_AUDIT_KEY="short")
    assert short.returncode != 0
    assert "LIBDESK_AUDIT_KEY: an audit key needs at least 32 characters" in short.stderr
    old = settings_in_a_new_process(tmp_path, LIBDESK_AUDIT_KEY=NEW, LIBDESK_AUDIT_OLD_KEYS="x")
    assert "LIBDESK_AUDIT_OLD_KEYS: an audit key needs at least 32" in old.stderr


def write(n: int) -> None:
    for i in range(n):
        services.record(Actor.system(), "test.event", object_type="thing", object_id=i)


def audit(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_key(settings):
    settings.AUDIT_KEY, settings.AUDIT_OLD_KEYS = OLD, []
    return settings


def given_the_new_key(settings, *old: str) -> None:
    """Step one of a rotation: every node gets the new key, and the old one as an old key."""
    settings.AUDIT_KEY, settings.AUDIT_OLD_KEYS = NEW, list(old)


@pytest.mark.django_db
def test_a_rotation_moves_the_log_onto_the_new_key_from_a_recorded_entry(old_key, tmp_path):
    write(2)
    before = tmp_path / "before.json"
    audit("anchor", "--out", str(before))
    given_the_new_key(old_key, OLD)
    write(1)  # until the rotation, every node goes on signing with the key the head names
    assert AuditHead.objects.get().key_id == keys.key_id(OLD.encode())
    with pytest.raises(CommandError, match="finish the rotation: libdesk audit rotate-key"):
        audit("verify")
    assert keys.key_id(NEW.encode()) in audit("rotate-key")
    rotation = AuditEntry.objects.get(action="audit.key.rotate")
    assert (rotation.seq, rotation.reason) == (5, keys.key_id(NEW.encode()))
    assert rotation.hash == chain.entry_mac(rotation, OLD.encode())  # the old key signs it
    write(2)
    assert AuditEntry.objects.get(seq=6).hash == chain.entry_mac(
        AuditEntry.objects.get(seq=6), NEW.encode()
    )
    assert "7 entries checked and 1 anchors" in audit("verify", "--anchor", str(before))


@pytest.mark.django_db
def test_the_old_key_is_needed_until_its_entries_are_pruned(old_key):
    with clock.travel_to(clock.now() - timedelta(days=800)):
        write(2)
        given_the_new_key(old_key, OLD)
        audit("rotate-key")
    write(2)
    given_the_new_key(old_key)  # the old key dropped too early
    with pytest.raises(CommandError, match="entry 1 does not verify with any audit key this"):
        audit("verify")
    given_the_new_key(old_key, OLD)
    assert "pruned 3 entries" in audit("prune")
    assert AuditCheckpoint.objects.get().key_id == keys.key_id(NEW.encode())
    given_the_new_key(old_key)
    assert "3 entries checked" in audit("verify")


@pytest.mark.django_db
def test_an_old_key_cannot_sign_entries_after_the_rotation(old_key):
    write(2)
    given_the_new_key(old_key, OLD)
    audit("rotate-key")
    write(2)
    forged = AuditEntry.objects.get(seq=5)
    forged.action = "test.forged"
    forged.hash = chain.entry_mac(forged, OLD.encode())  # a leaked old key
    forged.save()
    with pytest.raises(CommandError, match="entry 5 was changed after it was written"):
        audit("verify")


@pytest.mark.django_db
def test_rotating_onto_the_key_in_use_or_without_the_old_key_is_refused(old_key):
    write(1)
    with pytest.raises(CommandError, match="already the key in use"):
        audit("rotate-key")
    given_the_new_key(old_key)  # the old key forgotten: nothing can sign the rotation
    with pytest.raises(CommandError, match="which this node does not have"):
        audit("rotate-key")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_node_without_the_key_in_use_writes_nothing_and_says_why(old_key):
    write(1)
    given_the_new_key(old_key)
    with pytest.raises(keys.MissingKey, match="LIBDESK_AUDIT_OLD_KEYS"), transaction.atomic():
        write(1)  # the change it came with rolls back with it
    assert AuditEntry.objects.count() == 1
