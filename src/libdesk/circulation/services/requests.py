"""Interlibrary loan requests and purchase suggestions: requests with a status, handled by
staff in the order they arrive, with the time to fulfil them recorded for the board."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.derive import isbn13
from libdesk.catalog.models import Record
from libdesk.circulation import counts
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.models import (
    OPEN_REQUEST,
    PatronRequest,
    RequestKind,
    RequestStatus,
)
from libdesk.circulation.rules import terms
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.library.models import Branch
from libdesk.patrons.models import Patron

CLOSING = (RequestStatus.FULFILLED, RequestStatus.DECLINED, RequestStatus.CANCELLED)
NEXT = {
    RequestStatus.SUBMITTED: {RequestStatus.IN_PROGRESS, *CLOSING},
    RequestStatus.IN_PROGRESS: set(CLOSING),
}


def submit_request(
    desk: Desk,
    patron: Patron,
    *,
    kind: str,
    pickup_branch: Branch,
    record: Record | None = None,
    title: str = "",
    author: str = "",
    isbn: str = "",
    note: str = "",
) -> tuple[PatronRequest, Decision]:
    if kind not in RequestKind.values:
        raise CirculationError("kind", _("choose ill or purchase"))
    title = (record.title if record is not None else title).strip()
    if not title:
        raise CirculationError("title", _("give the title (or a record id)"))
    if isbn.strip() and not isbn13(isbn):
        raise CirculationError("isbn", _("%s is not a valid ISBN") % isbn)
    for field, value, limit in (
        ("title", title, 500),
        ("author", author, 300),
        ("note", note, 1000),
    ):
        if len(value) > limit:
            raise CirculationError(field, _("keep it under %s characters") % limit)
    with transaction.atomic():
        Patron.objects.select_for_update().filter(pk=patron.pk).first()
        open_count = PatronRequest.objects.filter(patron=patron, status__in=OPEN_REQUEST).count()
        limit = terms().max_open_requests
        if open_count >= limit:
            raise Refused(Decision.refuse("request_limit", count=open_count, limit=limit))
        request = PatronRequest.objects.create(
            patron=patron,
            kind=kind,
            record=record,
            title=title,
            author=(author or (record.responsibility if record else "")).strip()[:300],
            isbn=isbn13(isbn),
            note=note.strip(),
            pickup_branch=pickup_branch,
            submitted_at=clock.now(),
        )
        audit.record(
            desk.actor,
            "circulation.request.submit",
            object_type="request",
            object_id=request.pk,
            reason=kind,
        )
    return request, Decision.allow("request_submitted")


def update_request(
    desk: Desk, request: PatronRequest, status: str, staff_note: str = ""
) -> PatronRequest:
    """Staff move a request along; closing it records how long it took."""
    from libdesk.circulation.tasks import queue_notice

    with transaction.atomic():
        request = PatronRequest.objects.select_for_update().get(pk=request.pk)
        if status not in NEXT.get(request.status, set()):
            raise CirculationError(
                "status",
                _("a %(now)s request cannot become %(next)s")
                % {"now": request.status, "next": status},
            )
        request.status, request.staff_note = status, staff_note.strip()[:500]
        if status in CLOSING:
            request.closed_at = clock.now()
            if status == RequestStatus.FULFILLED:
                counts.wait(request.kind, request.pickup_branch, request.submitted_at)
        request.save()
        audit.record(
            desk.actor,
            "circulation.request.update",
            object_type="request",
            object_id=request.pk,
            reason=status,
        )
        if request.patron_id and status != RequestStatus.CANCELLED:
            queue_notice("request_status", request.pk, stage=status)
    return request


def cancel_request(desk: Desk, request: PatronRequest) -> PatronRequest:
    return update_request(desk, request, RequestStatus.CANCELLED)


def unlink_closed_requests() -> int:
    """Closed requests keep their status and dates for the figures, but lose their patron
    once the retention period (a setting) has passed."""
    days = settings.LIBDESK["CLOSED_REQUEST_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    return PatronRequest.objects.filter(patron__isnull=False, closed_at__lte=cutoff).update(
        patron=None, note=""
    )
