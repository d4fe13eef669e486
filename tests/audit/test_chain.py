"""The audit log: append-only, hash-chained, verifiable, prunable from a checkpoint."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from libdesk.audit import services
from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditCheckpoint, AuditEntry
from libdesk.core import clock

pytestmark = pytest.mark.django_db


def write(n: int) -> None:
    for i in range(n):
        services.record(Actor.system(), "test.event", object_type="thing", object_id=i)


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_an_untouched_log_verifies():
    write(5)
    assert "audit log verifies: 5 entries checked" in verify()
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


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


def test_a_rewritten_chain_is_caught_at_the_first_rewritten_entry():
    write(3)
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "test.forged"
    entry.hash = services.entry_hash(entry)  # a forger recomputing this entry's own hash
    entry.save()
    with pytest.raises(CommandError, match="entry 3 does not follow"):
        verify()


def test_pruning_keeps_a_checkpoint_and_the_rest_still_verifies():
    start = clock.now() - timedelta(days=800)
    with clock.travel_to(start):
        write(3)
    write(2)
    out = StringIO()
    call_command("audit", "prune", stdout=out)
    assert "pruned 3 entries" in out.getvalue()
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [4, 5]
    assert AuditCheckpoint.objects.get().seq == 3
    assert "2 entries checked" in verify()
    write(1)
    assert "3 entries checked" in verify()


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
    assert services.verify().ok


def test_only_the_privacy_officer_reads_the_whole_log(staff_client):
    assert staff_client("clerk").get("/staff/audit/").status_code == 403
    assert staff_client("head").get("/staff/audit/").status_code == 403
    officer = staff_client("privacy")
    page = officer.get("/staff/audit/", {"action": "staff.sign_in", "verify": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "The chain verifies" in text and "staff.sign_in" in text
