"""Audit entries hold ids and codes, never contents, and each is chained to the one before by
an HMAC with the audit key (audit/chain.py), kept outside the database.

Entries for circulation name the loan and the item, never the patron; entries for reads of
patron data name the patron and the kind of data read, never which items (PRIVACY.md).
"""

from django.db import models


class ActorKind(models.TextChoices):
    STAFF = "staff", "staff"
    PATRON = "patron", "patron (self-service)"
    GUARDIAN = "guardian", "guardian"
    TERMINAL = "terminal", "terminal"
    SYSTEM = "system", "system"
    PUBLIC = "public", "anonymous visitor"


class AuditEntry(models.Model):
    """One row of the append-only, hash-chained audit log: who did or read what, when, from
    which workstation, naming ids and kinds of data, never contents (PRIVACY.md)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    workstation = models.CharField(max_length=60, blank=True)
    branch = models.CharField(max_length=12, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patron_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data_kind = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=60, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.action}"


class AuditHead(models.Model):
    """The chain's tip. Every writer locks this one row, so entries are numbered and chained
    one at a time on SQLite and PostgreSQL alike. `key_id` names the audit key that signs the
    next entry (it changes only at a recorded rotation)."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(max_length=16, blank=True)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditCheckpoint(models.Model):
    """Where verification starts after entries older than the retention period were pruned:
    the last pruned entry's number and hash, the key that signs the entry after it, and a MAC
    with that key, so that nobody without the key can move the start of the chain."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True)
    pruned_at = models.DateTimeField()
    entries_pruned = models.PositiveBigIntegerField()
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"checkpoint at #{self.seq}"
