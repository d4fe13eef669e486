"""What circulation does to a patron's rows when the account closes, and the purges that bound
how long they are kept where no other job already does (the hold and request jobs do theirs):
each registered with the registry in `circulation/patron_data.py`.

Closing runs inside the rights app's closing transaction, after it has checked that nothing is
on loan and nothing is owed; each function answers how many rows it changed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from libdesk.circulation.desk import Desk
from libdesk.circulation.models import (
    ACTIVE_HOLD,
    OPEN_REQUEST,
    Fee,
    Hold,
    Loan,
    NoticeSent,
    OfflineConflict,
    PatronRequest,
)
from libdesk.circulation.services import cancel_hold, cancel_request
from libdesk.core import clock, housekeeping

LOAN_NOTICES = ("due_soon", "overdue")
HOLD_NOTICES = ("hold_ready", "hold_expiring")
REQUEST_NOTICES = ("request_status",)


def unlink_loans(patron_id: int) -> int:
    """The patron's closed loans keep their dates and category for the figures, without the
    patron; every store keeping a loan's id beside something of the patron's forgets it."""
    loan_ids = list(Loan.objects.filter(patron_id=patron_id).values_list("pk", flat=True))
    Loan.objects.filter(pk__in=loan_ids).update(patron=None)
    for loan_id in loan_ids:
        housekeeping.loan_unlinked(loan_id)
    return len(loan_ids)


def unlink_settled_loans() -> int:
    """A closed loan with no open fee names nobody (check-in and the last payment unlink it
    at once); this catches any left linked, as the purge that proves the rule."""
    open_fee = Fee.objects.filter(loan=OuterRef("pk"), closed_at__isnull=True)
    left = Loan.objects.filter(patron__isnull=False, closed_at__isnull=False).exclude(
        Exists(open_fee)
    )
    loan_ids = list(left.values_list("pk", flat=True))
    Loan.objects.filter(pk__in=loan_ids).update(patron=None)
    for loan_id in loan_ids:
        housekeeping.loan_unlinked(loan_id)
    return len(loan_ids)


def close_holds(patron_id: int) -> int:
    """Active holds are cancelled as the patron would cancel them (a copy set aside passes to
    the next in line), then every hold of the patron's is deleted: the board's wait figures
    are kept apart and name nobody."""
    for hold in Hold.objects.filter(patron_id=patron_id, status__in=ACTIVE_HOLD).select_related(
        "pickup_branch"
    ):
        cancel_hold(Desk.self_service(hold.pickup_branch), hold)
    return Hold.objects.filter(patron_id=patron_id).delete()[0]


def close_requests(patron_id: int) -> int:
    """Open requests are cancelled; every request keeps its kind, dates and status for the
    figures, without the patron or their note."""
    for request in PatronRequest.objects.filter(
        patron_id=patron_id, status__in=OPEN_REQUEST
    ).select_related("pickup_branch"):
        cancel_request(Desk.self_service(request.pickup_branch), request)
    return PatronRequest.objects.filter(patron_id=patron_id).update(patron=None, note="")


def unlink_fees(patron_id: int) -> int:
    """Settled fees (nothing is owed when an account closes) stay for the library's accounts,
    with their payments, naming nobody."""
    return Fee.objects.filter(patron_id=patron_id, closed_at__isnull=False).update(
        patron=None, loan=None
    )


def unlink_settled_fees() -> int:
    """Fees settled more than CLOSED_FEE_RETENTION_DAYS ago lose their patron."""
    days = settings.LIBDESK["CLOSED_FEE_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    return Fee.objects.filter(patron__isnull=False, closed_at__lte=cutoff).update(
        patron=None, loan=None
    )


def _notices_of(linked: Q) -> Q:
    """Notice log rows about the loans, holds and requests matching `linked` (on `patron`)."""
    return (
        Q(kind__in=LOAN_NOTICES, object_id__in=Loan.objects.filter(linked).values("pk"))
        | Q(kind__in=HOLD_NOTICES, object_id__in=Hold.objects.filter(linked).values("pk"))
        | Q(
            kind__in=REQUEST_NOTICES,
            object_id__in=PatronRequest.objects.filter(linked).values("pk"),
        )
    )


def notices_about(patron_id: int) -> Q:
    """The notice log's rows about the patron's loans, holds and requests."""
    return _notices_of(Q(patron_id=patron_id))


def purge_notice_log() -> int:
    """Rows older than NOTICE_LOG_RETENTION_DAYS about a loan, hold or request that no longer
    names a patron (a row about one that still does keeps the notice from going out twice)."""
    days = settings.LIBDESK["NOTICE_LOG_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    still_linked = _notices_of(Q(patron__isnull=False))
    return NoticeSent.objects.filter(sent_at__lt=cutoff).exclude(still_linked).delete()[0]


def purge_resolved_offline_conflicts() -> int:
    """Offline conflicts resolved more than OFFLINE_CONFLICT_RETENTION_DAYS ago; one staff
    have not looked into yet stays (it is shown while serving the patron until then)."""
    days = settings.LIBDESK["OFFLINE_CONFLICT_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    return OfflineConflict.objects.filter(resolved_at__lte=cutoff).delete()[0]
