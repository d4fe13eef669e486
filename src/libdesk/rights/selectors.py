"""Reads for patrons' rights: everything libdesk holds about a patron (the export), their
open correction requests, and what closing the account would do."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise

from libdesk.access.purposes import Access
from libdesk.access.table import require
from libdesk.audit import services as audit
from libdesk.core import clock, patron_data
from libdesk.rights.models import CorrectionRequest

RECORD = "patrons.record"


def export_for(access: Access) -> dict:
    """Everything the registry knows about the patron, as plain JSON: only for a reader who
    may read every kind (today, the patron themselves). Audited, as a read of the whole
    record."""
    for kind in patron_data.kinds():
        require(access.role, kind.resource, "read", access.context)
    audit.record(
        access.actor,
        "patron.export",
        object_type="patron",
        object_id=access.patron_id,
        patron_id=access.patron_id,
    )
    return {"exported_at": clock.now(), "sections": patron_data.export(access.patron_id)}


def open_corrections(access: Access) -> QuerySet[CorrectionRequest]:
    """The patron's correction requests not yet handled, shown to them and to staff serving
    them. Read as contact details (what they are most often about), so a guardian shown a
    child's account at the desk is not shown them."""
    access.read("patron.contact", "corrections")
    return CorrectionRequest.objects.filter(patron_id=access.patron_id)


@dataclass(frozen=True)
class ClosingStep:
    what: str | Promise
    happens: str | Promise


def closing_plan() -> list[ClosingStep]:
    """What closing the account does to each kind of data, for the patron to read first: their
    record, then the rest by name."""
    kinds = sorted(patron_data.kinds(), key=lambda k: (k.name != RECORD, str(k.label)))
    return [ClosingStep(kind.label, kind.closing_text) for kind in kinds]
