"""Anchors through the CLI: `libdesk audit anchor` writes a signed checkpoint of the head,
`libdesk audit verify --anchor FILE` checks the log against it. Someone who can change the
database (but has no key) edits an entry and recomputes every later hash, cuts the newest
entries and moves the head back, or rewrites the chain: each fails, naming the entry or the
anchor. An insider with the key can make the chain verify, but not the anchor kept away."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from libdesk.audit import chain, keys, services
from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditEntry, AuditHead
from libdesk.core import clock

pytestmark = pytest.mark.django_db


def write(n: int) -> None:
    for i in range(n):
        services.record(Actor.system(), "test.event", object_type="thing", object_id=i)


def audit(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def anchor(tmp_path, name: str = "anchor.json"):
    path = tmp_path / name
    assert f"written to {path}" in audit("anchor", "--out", str(path))
    return path


def rechain_from(seq: int, sign) -> None:
    """What a forger with database access does: recompute every hash from `seq` on with
    `sign`, and move the head onto the new last entry."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else chain.GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = prev
        entry.hash = prev = sign(entry)
        entry.save()
    AuditHead.objects.update(hash=prev)


def with_the_key(entry) -> str:
    return chain.entry_mac(entry, keys.get(keys.current_id(), "test"))


def without_the_key(entry) -> str:
    return chain.entry_mac(entry, b"not the library's key, but long enough to be one")


def test_an_anchor_is_a_small_signed_file_and_a_clean_log_verifies_against_it(tmp_path):
    write(3)
    path = anchor(tmp_path)
    data = json.loads(path.read_text())
    assert set(data) == {"format", "seq", "hash", "at", "key_id", "mac"}
    assert data["seq"] == 4 and data["key_id"] == keys.current_id()
    assert AuditEntry.objects.get(seq=4).action == "audit.anchor"
    assert data["hash"] == AuditEntry.objects.get(seq=4).hash
    write(2)
    assert "6 entries checked and 1 anchors" in audit("verify", "--anchor", str(path))


def test_an_anchor_can_go_to_standard_output():
    write(1)
    data = json.loads(audit("anchor"))
    assert data["seq"] == 2 and data["format"] == "libdesk audit anchor 1"


def test_an_edited_entry_with_every_later_hash_recomputed_without_the_key_fails(tmp_path):
    write(3)
    path = anchor(tmp_path)
    write(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = 'x' WHERE seq = 2")
    rechain_from(2, without_the_key)
    with pytest.raises(CommandError) as failed:
        audit("verify", "--anchor", str(path))
    message = str(failed.value)
    assert "entry 2 was changed after it was written" in message
    assert f"anchor {path} (entry 4" in message and "not checked" in message
    with pytest.raises(CommandError, match="entry 2 was changed after it was written"):
        audit("verify")


def test_a_cut_tail_with_the_head_moved_back_fails_against_an_anchor(tmp_path):
    write(5)
    path = anchor(tmp_path)  # entry 6
    AuditEntry.objects.filter(seq__gte=4).delete()
    AuditHead.objects.update(seq=3, hash=AuditEntry.objects.get(seq=3).hash)
    assert "3 entries checked" in audit("verify")  # alone, a clean cut looks like a shorter log
    with pytest.raises(CommandError) as failed:
        audit("verify", "--anchor", str(path))
    assert f"anchor {path} (entry 6" in str(failed.value)
    assert "the log ends at entry 3; entries were removed from its end" in str(failed.value)


def test_a_cut_tail_written_over_again_fails_against_an_anchor(tmp_path):
    write(5)
    path = anchor(tmp_path)
    AuditEntry.objects.filter(seq__gte=4).delete()
    AuditHead.objects.update(seq=3, hash=AuditEntry.objects.get(seq=3).hash)
    write(4)  # the log grows past the anchor again, with other entries
    with pytest.raises(CommandError, match="entry 6 is not the entry anchored"):
        audit("verify", "--anchor", str(path))


def test_a_chain_rewritten_with_the_key_verifies_alone_but_not_against_an_anchor(tmp_path):
    write(3)
    path = anchor(tmp_path)
    write(2)
    AuditEntry.objects.filter(seq=2).update(action="test.forged")
    rechain_from(2, with_the_key)
    assert "6 entries checked" in audit("verify")
    with pytest.raises(CommandError, match="entry 4 is not the entry anchored"):
        audit("verify", "--anchor", str(path))


def test_an_edited_anchor_is_refused(tmp_path):
    write(3)
    path = anchor(tmp_path)
    data = json.loads(path.read_text())
    data["seq"] = 2
    data["hash"] = AuditEntry.objects.get(seq=2).hash
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="its signature does not match"):
        audit("verify", "--anchor", str(path))


def test_an_anchor_from_another_key_is_refused(tmp_path, settings):
    write(1)
    path = anchor(tmp_path)
    settings.AUDIT_KEY = "another library's audit key, long enough to be one"
    with pytest.raises(CommandError, match="which this node does not have"):
        audit("verify", "--anchor", str(path))


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("not json", "not JSON"),
        ('{"format": "something else"}', "not an anchor"),
        ('{"format": "libdesk audit anchor 1", "seq": "4"}', "'seq' is missing or malformed"),
        (
            '{"format": "libdesk audit anchor 1", "seq": 4, "hash": "' + "a" * 64 + '", '
            '"at": "yesterday"}',
            "'at' is missing",
        ),
    ],
)
def test_a_file_that_is_not_an_anchor_is_named(tmp_path, content, named):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=f"{path}: .*{named}"):
        audit("verify", "--anchor", str(path))


def test_an_anchor_is_never_written_over_and_a_missing_one_is_named(tmp_path):
    write(1)
    path = anchor(tmp_path)
    before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="exists already"):
        audit("anchor", "--out", str(path))
    assert AuditEntry.objects.count() == before
    with pytest.raises(CommandError, match="cannot read"):
        audit("verify", "--anchor", str(tmp_path / "nowhere.json"))


def test_after_pruning_older_and_newer_anchors_still_verify(tmp_path):
    with clock.travel_to(clock.now() - timedelta(days=800)):
        write(3)
        old = anchor(tmp_path, "old.json")  # entry 4, to be pruned
    write(2)
    new = anchor(tmp_path, "new.json")  # entry 7
    assert "pruned 4 entries" in audit("prune")
    assert not AuditEntry.objects.filter(seq__lte=4).exists()
    assert "and 2 anchors" in audit("verify", "--anchor", str(old), "--anchor", str(new))
