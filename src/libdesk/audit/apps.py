from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only, hash-chained audit log of changes and of reads of patron data."""

    name = "libdesk.audit"
    label = "audit"
