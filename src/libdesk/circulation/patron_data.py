"""The patron data circulation keeps, registered with the registry (core/patron_data.py):
loans, holds, requests, fees, payments, overrides, the notice log, the reading history and
the offline loans from self-check machines that staff had to look at.
Each row is exported in the patron's words: titles, dates, branches, never another patron,
never a member of staff beyond their role."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Role
from libdesk.circulation import reading_history, retention
from libdesk.circulation.models import (
    ConflictKind,
    Fee,
    FeeKind,
    Hold,
    HoldStatus,
    Loan,
    LoanState,
    NoticeSent,
    OfflineConflict,
    Override,
    OverrideKind,
    OverrideReason,
    PatronRequest,
    Payment,
    ReadingHistoryEntry,
    RequestKind,
    RequestStatus,
)
from libdesk.circulation.services import delete_ended_holds, unlink_closed_requests
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register

DELETED_TEXT = _("Deleted.")
SELF_CHECK = _("a self-check machine")
ANONYMOUS = _("Kept for the library's figures and accounts, without your name or card.")
NOTICE_WORDS = {
    "due_soon": _("due soon"),
    "overdue": _("overdue"),
    "hold_ready": _("hold ready"),
    "hold_expiring": _("hold waiting: last day soon"),
    "request_status": _("request updated"),
}


def _role(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _loan(loan: Loan, patron_id: int) -> dict:
    return {
        "title": loan.item.record.title,
        "item_barcode": loan.item.barcode,
        "branch": loan.branch.name,
        "checked_out_at": loan.checked_out_at,
        "due": loan.due,
        "state": str(LoanState(loan.state).label),
        "renewals_used": loan.renewals_used,
        "closed_at": loan.closed_at,
    }


def _hold(hold: Hold, patron_id: int) -> dict:
    ready = hold.status == HoldStatus.READY
    return {
        "title": hold.record.title,
        "pickup_branch": hold.pickup_branch.name,
        "placed_at": hold.placed_at,
        "status": str(HoldStatus(hold.status).label),
        "suspended_until": hold.suspended_until,
        "pickup_code": hold.pickup_code if ready else "",
        "waiting_until": hold.shelf_expires if ready else None,
        "ended_at": hold.ended_at,
    }


def _request(request: PatronRequest, patron_id: int) -> dict:
    return {
        "kind": str(RequestKind(request.kind).label),
        "title": request.title,
        "author": request.author,
        "isbn": request.isbn,
        "your_note": request.note,
        "pickup_branch": request.pickup_branch.name,
        "status": str(RequestStatus(request.status).label),
        "library_note": request.staff_note,
        "submitted_at": request.submitted_at,
        "closed_at": request.closed_at,
    }


def _fee(fee: Fee, patron_id: int) -> dict:
    return {
        "kind": str(FeeKind(fee.kind).label),
        "amount": str(fee.amount),
        "still_owed": str(fee.balance),
        "charged_at": fee.created_at,
        "settled_at": fee.closed_at,
    }


def _payment(payment: Payment, patron_id: int) -> dict:
    return {
        "amount": str(payment.amount),
        "method": payment.get_method_display(),
        "receipt": payment.receipt,
        "paid_at": payment.paid_at,
        "received_by": _role(payment.staff.role) if payment.staff else str(SELF_CHECK),
    }


def _override(override: Override, patron_id: int) -> dict:
    return {
        "what": str(OverrideKind(override.kind).label),
        "why": str(OverrideReason(override.reason).label),
        "note": override.note,
        "days": override.days,
        "amount": str(override.amount) if override.amount is not None else None,
        "at": override.at,
        "by": _role(override.staff.role),
        "branch": override.branch.name,
    }


def _notice(notice: NoticeSent, patron_id: int) -> dict:
    return {
        "notice": str(NOTICE_WORDS.get(notice.kind, notice.kind)),
        "stage": notice.stage,
        "sent_at": notice.sent_at,
    }


def _read(entry: ReadingHistoryEntry, patron_id: int) -> dict:
    return {
        "title": entry.record.title,
        "by": entry.record.responsibility,
        "returned_on": entry.returned_on,
    }


def _offline_conflict(conflict: OfflineConflict, patron_id: int) -> dict:
    return {
        "title": conflict.item.record.title if conflict.item else "",
        "item_barcode": conflict.barcode,
        "what_happened": str(ConflictKind(conflict.kind).label),
        "at_the_machine": conflict.happened_at,
        "self_check_machine": conflict.terminal,
        "recorded_at": conflict.recorded_at,
        "resolved_at": conflict.resolved_at,
    }


def register_all() -> None:
    register(
        PatronDataKind(
            name="circulation.loans",
            label=_("Loans"),
            model=Loan,
            resource="patron.loans",
            rows=lambda pid: Loan.objects.filter(patron_id=pid).select_related(
                "item__record", "branch"
            ),
            export_row=_loan,
            closing=Closing.UNLINK,
            closing_text=ANONYMOUS,
            close=retention.unlink_loans,
            retention=Retention(
                _(
                    "Linked to you only while on loan, or while a fee on it is owed: at check-in "
                    "the link to you goes."
                ),
                purge=retention.unlink_settled_loans,
            ),
        )
    )
    register(
        PatronDataKind(
            name="circulation.holds",
            label=_("Holds"),
            model=Hold,
            resource="patron.holds",
            rows=lambda pid: Hold.objects.filter(patron_id=pid).select_related(
                "record", "pickup_branch"
            ),
            export_row=_hold,
            closing=Closing.DELETE,
            closing_text=_(
                "Active holds are cancelled (a copy set aside goes to the next "
                "person in line), then every hold is deleted."
            ),
            close=retention.close_holds,
            retention=Retention(
                _(
                    "A hold that ends (picked up, cancelled or not collected) is deleted soon "
                    "after."
                ),
                setting="ENDED_HOLD_RETENTION_HOURS",
                purge=delete_ended_holds,
            ),
        )
    )
    register(
        PatronDataKind(
            name="circulation.requests",
            label=_("Interlibrary loan requests and purchase suggestions"),
            model=PatronRequest,
            resource="patron.requests",
            rows=lambda pid: PatronRequest.objects.filter(patron_id=pid).select_related(
                "pickup_branch"
            ),
            export_row=_request,
            closing=Closing.UNLINK,
            closing_text=_(
                "Open requests are cancelled; every request is kept for the "
                "library's figures without your name, card or note."
            ),
            close=retention.close_requests,
            retention=Retention(
                _("A closed request loses its link to you after the retention period."),
                setting="CLOSED_REQUEST_RETENTION_DAYS",
                purge=unlink_closed_requests,
            ),
        )
    )
    register(
        PatronDataKind(
            name="circulation.fees",
            label=_("Fees"),
            model=Fee,
            resource="patron.fees",
            rows=lambda pid: Fee.objects.filter(patron_id=pid),
            export_row=_fee,
            closing=Closing.UNLINK,
            closing_text=ANONYMOUS,
            close=retention.unlink_fees,
            retention=Retention(
                _("A settled fee loses its link to you after the retention period."),
                setting="CLOSED_FEE_RETENTION_DAYS",
                purge=retention.unlink_settled_fees,
            ),
        )
    )
    register(
        PatronDataKind(
            name="circulation.payments",
            label=_("Payments"),
            model=Payment,
            resource="patron.fees",
            rows=lambda pid: Payment.objects.filter(fee__patron_id=pid).select_related("staff"),
            export_row=_payment,
            closing=Closing.KEEP,
            closing_text=_(
                "Kept for the library's accounts with the fee, which no longer names you."
            ),
            retention=Retention(
                _(
                    "Kept with its fee, for the library's accounts; it names you only through "
                    "the fee."
                ),
                setting="CLOSED_FEE_RETENTION_DAYS",
            ),
        )
    )
    register(
        PatronDataKind(
            name="circulation.overrides",
            label=_("Staff decisions in your favour"),
            model=Override,
            resource="patron.loans",
            rows=lambda pid: Override.objects.filter(loan__patron_id=pid).select_related(
                "staff", "branch"
            ),
            export_row=_override,
            closing=Closing.KEEP,
            closing_text=_("Kept with the loan it eased, which no longer names you."),
            retention=Retention(_("It names only a loan, which stops naming you at check-in.")),
        )
    )
    register(
        PatronDataKind(
            name="circulation.notices_sent",
            label=_("Notices sent to you"),
            model=NoticeSent,
            resource="patron.loans",
            rows=lambda pid: NoticeSent.objects.filter(retention.notices_about(pid)),
            export_row=_notice,
            closing=Closing.DELETE,
            closing_text=DELETED_TEXT,
            retention=Retention(
                _(
                    "Deleted after the retention period, once the loan, hold or request no "
                    "longer names you."
                ),
                setting="NOTICE_LOG_RETENTION_DAYS",
                purge=retention.purge_notice_log,
            ),
            order=-10,  # before loans, holds and requests stop naming the patron
        )
    )
    register(
        PatronDataKind(
            name="circulation.offline_conflicts",
            label=_("Offline loans from self-check machines that staff looked into"),
            model=OfflineConflict,
            resource="patron.loans",
            rows=lambda pid: OfflineConflict.objects.filter(patron_id=pid).select_related(
                "item__record"
            ),
            export_row=_offline_conflict,
            closing=Closing.DELETE,
            closing_text=DELETED_TEXT,
            retention=Retention(
                _(
                    "Kept until staff have looked into it with you; deleted after the retention "
                    "period once resolved."
                ),
                setting="OFFLINE_CONFLICT_RETENTION_DAYS",
                purge=retention.purge_resolved_offline_conflicts,
            ),
        )
    )
    register(
        PatronDataKind(
            name="circulation.reading_history",
            label=_("Reading history"),
            model=ReadingHistoryEntry,
            resource="patron.history",
            rows=lambda pid: ReadingHistoryEntry.objects.filter(patron_id=pid).select_related(
                "record"
            ),
            export_row=_read,
            closing=Closing.DELETE,
            closing_text=DELETED_TEXT,
            close=reading_history.forget,
            retention=Retention(
                _(
                    "Kept only while you choose to keep a reading history: you can delete it at "
                    "any time, and saying no deletes it."
                )
            ),
        )
    )
