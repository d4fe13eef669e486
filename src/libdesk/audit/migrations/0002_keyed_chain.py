"""Key the audit chain (issue 12): every entry's hash becomes an HMAC with the audit key.

Entries written before were chained by plain SHA-256, which anyone who can change the database
can recompute. This migration first walks that chain as it was (so a log already tampered with
is not blessed with the key: it stops, naming the entry), then signs every remaining entry
again with LIBDESK_AUDIT_KEY (or `<data dir>/audit_key`), in order, from the checkpoint if the
log was pruned, and signs the checkpoint. Afterwards the whole log verifies under the key, and
`libdesk audit verify` needs no special case for old entries. Going back re-chains by SHA-256.

The hash functions are written out here as they are at this migration, so later changes to
`audit/chain.py` cannot change what this step did.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
BATCH = 2000


def _fields(entry) -> list:
    return [
        entry.seq,
        entry.at.isoformat(timespec="microseconds"),
        entry.actor_kind,
        entry.actor_id,
        entry.actor_role,
        entry.workstation,
        entry.branch,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.patron_id,
        entry.data_kind,
        entry.reason,
        entry.prev_hash,
    ]


def _canonical(fields: list) -> bytes:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


def _sha256(entry) -> str:
    return hashlib.sha256(_canonical(_fields(entry))).hexdigest()


def _key() -> bytes:
    return settings.AUDIT_KEY.encode()


def _key_id(key: bytes) -> str:
    return hmac.new(key, b"libdesk audit key id", hashlib.sha256).hexdigest()[:16]


def _hmac(entry) -> str:
    message = b"entry\n" + _canonical(_fields(entry))
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _checkpoint_mac(checkpoint) -> str:
    fields = [
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.key_id,
        checkpoint.pruned_at.isoformat(timespec="microseconds"),
        checkpoint.entries_pruned,
    ]
    return hmac.new(_key(), b"checkpoint\n" + _canonical(fields), hashlib.sha256).hexdigest()


def _rechain(apps, old_hash, new_hash, key_id: str, sign_checkpoint) -> None:
    """Walk the chain checking it under `old_hash`, and write it again under `new_hash`."""
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditHead")
    checkpoint_model = apps.get_model("audit", "AuditCheckpoint")
    checkpoint = checkpoint_model.objects.order_by("-seq").first()
    seq, old_prev = (checkpoint.seq + 1, checkpoint.hash) if checkpoint else (1, GENESIS)
    new_prev = old_prev  # the checkpoint's hash is the pruned entry's: it stays as it was
    batch = []
    for entry in entry_model.objects.filter(seq__gte=seq).order_by("seq").iterator(BATCH):
        if entry.seq != seq or entry.prev_hash != old_prev or old_hash(entry) != entry.hash:
            raise RuntimeError(
                f"audit entry {seq} does not verify as written before this upgrade; the log "
                "is not keyed over a broken chain. Investigate it (libdesk audit verify on the "
                "previous version names it), restore the log from a backup, then migrate again."
            )
        old_prev = entry.hash
        entry.prev_hash = new_prev
        entry.hash = new_prev = new_hash(entry)
        batch.append(entry)
        seq += 1
        if len(batch) == BATCH:
            entry_model.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    entry_model.objects.bulk_update(batch, ["prev_hash", "hash"])
    head_model.objects.filter(pk=1).update(hash=new_prev, key_id=key_id)
    if checkpoint is not None:
        checkpoint.key_id = key_id
        checkpoint.mac = sign_checkpoint(checkpoint)
        checkpoint.save(update_fields=["key_id", "mac"])


def key_the_chain(apps, schema_editor) -> None:
    _rechain(apps, _sha256, _hmac, _key_id(_key()), _checkpoint_mac)


def unkey_the_chain(apps, schema_editor) -> None:
    _rechain(apps, _hmac, _sha256, "", lambda checkpoint: "")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(key_the_chain, unkey_the_chain),
    ]
