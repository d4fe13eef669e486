"""The audit log: append-only, chained by HMAC with the audit key, verifiable, prunable from a
signed checkpoint."""

import hashlib
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from libdesk.audit import chain, keys, services
from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from libdesk.audit.verification import verify as verify_chain
from libdesk.core import clock

pytestmark = pytest.mark.django_db


def write(n: int) -> None:
    for i in range(n):
        services.record(Actor.system(), "test.event", object_type="thing", object_id=i)


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_an_untouched_log_verifies():
    write(5)
    assert "audit log verifies: 5 entries checked" in verify()
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_each_entry_is_signed_with_the_audit_key_not_a_plain_hash():
    write(2)
    entry = AuditEntry.objects.get(seq=2)
    key = keys.get(keys.current_id(), "test")
    assert entry.hash == chain.entry_mac(entry, key)
    plain = hashlib.sha256(str(chain.entry_fields(entry)).encode()).hexdigest()
    assert entry.hash != plain
    assert AuditHead.objects.get().key_id == keys.current_id()


def test_an_edited_entry_is_named():
    write(5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = 'x' WHERE seq = 3")
    with pytest.raises(CommandError, match="entry 3 was changed after it was written"):
        verify()


def test_a_removed_entry_is_named():
    write(5)
    AuditEntry.objects.filter(seq=2).delete()
    with pytest.raises(CommandError, match="entry 2 is missing"):
        verify()


def test_removing_the_newest_entries_is_caught():
    write(5)
    AuditEntry.objects.filter(seq__gte=4).delete()
    with pytest.raises(CommandError, match="entries 4 to 5 are missing"):
        verify()


def test_a_rewritten_entry_fails_even_with_its_hash_recomputed_without_the_key():
    write(3)
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "test.forged"
    entry.hash = chain.entry_mac(entry, b"a guess at the key, long enough to be one")
    entry.save()
    with pytest.raises(CommandError, match="entry 2 was changed after it was written"):
        verify()


def test_a_record_refused_leaves_no_entry():
    with pytest.raises(ValueError, match="not a registered code"):
        services.record(Actor.system(), "test.event", reason="Avery said it was like that")
    assert not AuditEntry.objects.exists()
    assert verify_chain().ok


def test_pruning_keeps_a_signed_checkpoint_and_the_rest_still_verifies():
    start = clock.now() - timedelta(days=800)
    with clock.travel_to(start):
        write(3)
    write(2)
    out = StringIO()
    call_command("audit", "prune", stdout=out)
    assert "pruned 3 entries" in out.getvalue()
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [4, 5, 6]
    assert AuditEntry.objects.get(seq=6).action == "audit.prune"
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.key_id) == (3, keys.current_id())
    assert "3 entries checked" in verify()
    write(1)
    assert "4 entries checked" in verify()


def test_a_checkpoint_moved_without_the_key_is_caught():
    with clock.travel_to(clock.now() - timedelta(days=800)):
        write(3)
    write(2)
    call_command("audit", "prune", stdout=StringIO())
    AuditCheckpoint.objects.update(seq=4, hash=AuditEntry.objects.get(seq=4).hash)
    AuditEntry.objects.filter(seq=4).delete()
    with pytest.raises(CommandError, match="the checkpoint at entry 4 was changed"):
        verify()


def test_a_log_that_does_not_verify_is_not_pruned():
    with clock.travel_to(clock.now() - timedelta(days=800)):
        write(3)
    write(2)
    AuditEntry.objects.filter(seq=2).update(action="test.forged")
    with pytest.raises(CommandError, match=r"entry 2 was changed .*it was not pruned"):
        call_command("audit", "prune", stdout=StringIO())
    assert AuditEntry.objects.count() == 5 and not AuditCheckpoint.objects.exists()


def test_entries_hold_ids_and_codes_not_contents(staff_client):
    from tests.conftest import AVERY

    staff_client("clerk").post("/staff/desk/card/", {"card": AVERY})
    for entry in AuditEntry.objects.all():
        flat = " ".join(str(v) for v in entry.__dict__.values())
        assert AVERY not in flat and "Avery" not in flat and "@" not in flat


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_unbroken_chain():
    errors = []

    def writer():
        try:
            write(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 41))
    assert verify_chain().ok


def test_only_the_privacy_officer_reads_the_whole_log(staff_client):
    assert staff_client("clerk").get("/staff/audit/").status_code == 403
    assert staff_client("head").get("/staff/audit/").status_code == 403
    officer = staff_client("privacy")
    page = officer.get("/staff/audit/", {"action": "staff.sign_in", "verify": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "The chain verifies" in text and "staff.sign_in" in text


def test_the_logs_when_column_shows_utc_as_its_heading_says(staff_client):
    """Issue 16's first-use defect: the column said "When (UTC)" and showed local time."""
    from datetime import UTC, datetime

    from libdesk.audit import services as audit
    from libdesk.audit.actors import Actor
    from libdesk.core import clock

    with clock.travel_to(datetime(2026, 7, 1, 3, 4, 5, tzinfo=UTC)):
        audit.record(Actor.system(), "test.when", object_type="test", object_id=1)
    page = staff_client("privacy").get("/staff/audit/", {"action": "test.when"})
    text = page.content.decode()
    assert "When (UTC)" in text and "2026-07-01 03:04:05" in text
