"""Upgrading a library whose audit log was chained by plain SHA-256 (before issue 12): migration
audit 0002 checks the old chain, signs it again with the audit key, and the log verifies under
the key; a log already broken before the upgrade is not signed over, and the entry is named."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from libdesk.audit import keys
from libdesk.audit.verification import verify

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = [("audit", "0001_initial")], [("audit", "0002_keyed_chain")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def legacy_hash(entry) -> str:
    """How entries were hashed before the key: SHA-256 of the canonical JSON of the fields."""
    fields = [
        entry.seq,
        entry.at.isoformat(timespec="microseconds"),
        *(entry.actor_kind, entry.actor_id, entry.actor_role, entry.workstation),
        *(entry.branch, entry.action, entry.object_type, entry.object_id),
        *(entry.patron_id, entry.data_kind, entry.reason, entry.prev_hash),
    ]
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_legacy_log(apps, n: int, start_seq: int = 1, prev: str = "0" * 64) -> str:
    entry_model = apps.get_model("audit", "AuditEntry")
    at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    for seq in range(start_seq, start_seq + n):
        entry = entry_model(
            seq=seq,
            at=at + timedelta(minutes=seq),
            actor_kind="staff",
            actor_id="3",
            actor_role="clerk",
            workstation="MAIN-DESK-1",
            branch="MAIN",
            action="patron.read",
            object_type="patron",
            object_id="",
            patron_id=7,
            data_kind="loans",
            reason="card_presented",
            prev_hash=prev,
        )
        entry.hash = prev = legacy_hash(entry)
        entry.save()
    apps.get_model("audit", "AuditHead").objects.update_or_create(
        pk=1, defaults={"seq": start_seq + n - 1, "hash": prev}
    )
    return prev


@pytest.fixture
def before_the_key():
    apps = migrate(BEFORE)
    yield apps
    migrate(AFTER)


def test_an_old_log_is_signed_with_the_key_and_verifies(before_the_key):
    write_legacy_log(before_the_key, 5)
    migrate(AFTER)
    result = verify()
    assert (result.ok, result.checked) == (True, 5), result.problems
    from libdesk.audit.models import AuditHead

    assert AuditHead.objects.get().key_id == keys.current_id()


def test_an_old_pruned_log_is_signed_from_its_checkpoint(before_the_key):
    last_pruned = write_legacy_log(before_the_key, 3)
    before_the_key.get_model("audit", "AuditEntry").objects.filter(seq__lte=3).delete()
    before_the_key.get_model("audit", "AuditCheckpoint").objects.create(
        seq=3, hash=last_pruned, pruned_at=datetime(2026, 1, 1, tzinfo=UTC), entries_pruned=3
    )
    write_legacy_log(before_the_key, 2, start_seq=4, prev=last_pruned)
    migrate(AFTER)
    result = verify()
    assert (result.ok, result.checked) == (True, 2), result.problems


def test_an_old_log_already_broken_is_not_signed_over(before_the_key):
    write_legacy_log(before_the_key, 4)
    before_the_key.get_model("audit", "AuditEntry").objects.filter(seq=3).update(reason="x")
    with pytest.raises(RuntimeError, match="audit entry 3 does not verify as written before"):
        migrate(AFTER)
    before_the_key.get_model("audit", "AuditEntry").objects.all().delete()
    before_the_key.get_model("audit", "AuditHead").objects.all().delete()


def test_going_back_chains_by_sha256_again(before_the_key):
    write_legacy_log(before_the_key, 3)
    migrate(AFTER)
    apps = migrate(BEFORE)
    entries = list(apps.get_model("audit", "AuditEntry").objects.order_by("seq"))
    assert [e.hash for e in entries] == [legacy_hash(e) for e in entries]
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
