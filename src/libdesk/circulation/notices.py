"""Notices: due soon, overdue, hold ready, hold expiring, request status changed.

What each says and how it is sent; `tasks` queues them as background work that runs only
after the transaction commits, carrying one loan, hold or request id (never a patron with an
item). Patrons with an e-mail address get it by e-mail in their language; the rest appear on
the staff's daily call or print list. Titles are named only in e-mail to the patron's own
address, and only when the library's terms say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from libdesk.circulation.models import (
    Hold,
    HoldStatus,
    Loan,
    NoticeSent,
    PatronRequest,
)
from libdesk.circulation.rules import terms
from libdesk.core import clock
from libdesk.core.dates import long_date
from libdesk.library.mail import sends_mail

OVERDUE_STAGES = (1, 7, 14)
# The patron's choice that decides whether each kind goes by e-mail (patrons.NoticeChannel):
# reminders about loans follow the overdue choice, both hold notices the hold-ready one.
PREFERENCE = {
    "due_soon": "notices_overdue",
    "overdue": "notices_overdue",
    "hold_ready": "notices_hold_ready",
    "hold_expiring": "notices_hold_ready",
}


@dataclass(frozen=True)
class Notice:
    patron: object
    subject: str
    body: str


def deliver(kind: str, object_id: int, stage: str = "") -> bool:
    """Send one notice once. Returns whether an e-mail went out. With no mail server nothing
    is recorded as sent: the patron is on the call list instead (selectors.call_list)."""
    if not sends_mail():
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                NoticeSent.objects.create(
                    kind=kind, object_id=object_id, stage=stage, sent_at=clock.now()
                )
        except IntegrityError:
            return False  # already sent: tasks may run twice
        notice = _compose(kind, object_id, stage)
        if notice is None or not notice.patron.email or not by_email(kind, notice.patron):
            return False  # unlinked meanwhile, or reachable only by phone or post (call list),
            # or the patron asked for a phone call or no notice of this kind

        send_mail(
            subject=notice.subject,
            message=notice.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notice.patron.email],
        )
    return True


def by_email(kind: str, patron) -> bool:
    """Whether the patron wants notices of this kind by e-mail (kinds with no choice do)."""
    field = PREFERENCE.get(kind)
    return field is None or getattr(patron, field) == "email"


def _compose(kind: str, object_id: int, stage: str) -> Notice | None:
    name_titles = terms().notices_name_titles
    if kind in ("due_soon", "overdue"):
        loan = Loan.objects.select_related("patron", "item__record").filter(pk=object_id).first()
        if loan is None or loan.patron is None or not loan.is_open:
            return None
        patron = loan.patron
        with translation.override(patron.language):
            what = f"\n\n  {loan.item.record.title}\n" if name_titles else "\n"
            due = long_date(loan.due)
            if kind == "due_soon":
                subject = _("Due soon: an item on your library card")
                body = _("An item on your card is due on %(due)s.") % {"due": due}
            else:
                subject = _("Overdue: an item on your library card")
                body = _("An item on your card was due on %(due)s.") % {"due": due}
            body += what + _("You can renew it from your account, or return it to any branch.")
            return Notice(patron, subject, body)
    if kind in ("hold_ready", "hold_expiring"):
        hold = (
            Hold.objects.select_related("patron", "record", "pickup_branch")
            .filter(pk=object_id, status=HoldStatus.READY)
            .first()
        )
        if hold is None or hold.patron is None:
            return None
        with translation.override(hold.patron.language):
            until = long_date(hold.shelf_expires)
            what = f"\n\n  {hold.record.title}\n" if name_titles else "\n"
            subject = (
                _("Your hold is ready")
                if kind == "hold_ready"
                else _("Your hold is waiting: last day soon")
            )
            body = _(
                "A hold is waiting for you at %(branch)s until %(until)s. "
                "Ask at the desk for pickup code %(code)s."
            ) % {"branch": hold.pickup_branch.name, "until": until, "code": hold.pickup_code}
            return Notice(hold.patron, subject, body + what)
    if kind == "request_status":
        request = PatronRequest.objects.select_related("patron").filter(pk=object_id).first()
        if request is None or request.patron is None:
            return None
        with translation.override(request.patron.language):
            what = f"\n\n  {request.title}\n" if name_titles else "\n"
            subject = _("Your request has been updated")
            body = _("Your %(kind)s request is now: %(status)s.") % {
                "kind": request.get_kind_display().lower(),
                "status": request.get_status_display().lower(),
            }
            if request.staff_note:
                body += "\n\n" + request.staff_note
            return Notice(request.patron, subject, body + what)
    return None


def deliver_receipt(loan_ids: list[int]) -> bool:
    """The items lent and their due dates, to the borrower's own address."""
    if not sends_mail():
        return False
    loans = list(
        Loan.objects.filter(pk__in=loan_ids, closed_at__isnull=True, patron__isnull=False)
        .select_related("patron", "item__record", "branch")
        .order_by("due", "pk")
    )
    patrons = {loan.patron_id for loan in loans}
    if len(patrons) != 1 or not loans[0].patron.email:
        return False  # returned meanwhile, or no address: nothing to send
    patron = loans[0].patron
    with translation.override(patron.language):
        lines = [
            f"  {loan.item.record.title} ({loan.item.barcode}): "
            + _("due %(due)s") % {"due": long_date(loan.due)}
            for loan in loans
        ]
        body = _("You borrowed from %(branch)s:") % {"branch": loans[0].branch.name}
        send_mail(
            subject=_("Your library receipt"),
            message=body + "\n\n" + "\n".join(lines) + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[patron.email],
        )
    return True
