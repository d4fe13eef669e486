"""Circulation's state changes, one service function each: every door (the web desk, the
patron's account, the API, and the kiosk server to come) calls these and nothing else to lend,
return, renew, hold, charge or ask. Each runs in one transaction, refuses with a Decision, and
audits by loan and item, never by patron.

Where each rule lives:
- `lending`: checkout, and the patron's and the item's blocks;
- `returns`: check-in (the loan unlinked from its patron), lost, claimed returned, damaged,
  withdrawn;
- `renewals`: renewals and a clerk's extension of a due date;
- `queue`: the hold queue, places in line and wait estimates;
- `routing`: where a copy in hand goes (a hold, its shelf, in transit);
- `holds`: placing, cancelling, suspending and resuming holds, and their daily expiry;
- `fees`, `requests`, `overrides`, `alternatives`: money, interlibrary loans and purchase
  suggestions, a clerk's judgment in the patron's favour, what to offer instead;
- `offline`, `conflicts`: a kiosk's offline loans replayed, and staff marking what did not
  fit resolved.
"""

from libdesk.circulation.services.conflicts import resolve_offline_conflict
from libdesk.circulation.services.fees import pay, waive
from libdesk.circulation.services.holds import (
    cancel_hold,
    delete_ended_holds,
    expire_and_resume,
    holdable_copies,
    place_hold,
    resume_hold,
    suspend_hold,
)
from libdesk.circulation.services.lending import LoanResult, checkout, item_by_barcode
from libdesk.circulation.services.queue import HOLDABLE, QueuePlace, queue_for, queue_place
from libdesk.circulation.services.renewals import RenewalOutcome, extend_due, renew, renew_each
from libdesk.circulation.services.requests import (
    cancel_request,
    submit_request,
    unlink_closed_requests,
    update_request,
)
from libdesk.circulation.services.returns import (
    CheckinResult,
    checkin,
    claim_returned,
    mark_lost,
    return_damaged,
    withdraw,
)
from libdesk.circulation.services.routing import fulfil_for, receive

__all__ = [
    "HOLDABLE",
    "CheckinResult",
    "LoanResult",
    "QueuePlace",
    "RenewalOutcome",
    "cancel_hold",
    "cancel_request",
    "checkin",
    "checkout",
    "claim_returned",
    "delete_ended_holds",
    "expire_and_resume",
    "extend_due",
    "fulfil_for",
    "holdable_copies",
    "item_by_barcode",
    "mark_lost",
    "pay",
    "place_hold",
    "queue_for",
    "queue_place",
    "receive",
    "renew",
    "renew_each",
    "resolve_offline_conflict",
    "resume_hold",
    "return_damaged",
    "submit_request",
    "suspend_hold",
    "unlink_closed_requests",
    "update_request",
    "waive",
    "withdraw",
]
