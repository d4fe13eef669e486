"""The check-in page's running list: what this member of staff checked in since signing in,
newest first, kept in their session (it ends with it). Each line is the copy and where it went
(the hold shelf with its pickup code, in transit to a branch, or its shelf): never a patron,
since the loan is unlinked at check-in."""

from __future__ import annotations

from libdesk.catalog.models import ItemStatus

SESSION_KEY = "libdesk_checkins"
KEEP = 50  # a busy afternoon's returns; older lines drop off


def remember(session, result) -> None:
    """Add a check-in (a services.CheckinResult) to the top of the list."""
    item = result.item
    if result.hold is not None and item.status == ItemStatus.ON_HOLD_SHELF:
        route, code, to = "hold_shelf", result.hold.pickup_code, ""
    elif item.status == ItemStatus.IN_TRANSIT and item.in_transit_to is not None:
        route, code, to = "transit", "", item.in_transit_to.name
    else:
        route, code, to = "shelf", "", ""
    line = {
        "barcode": item.barcode,
        "title": item.record.title[:200],
        "route": route,
        "code": code,
        "to": to,
        "fee": str(result.fee.amount) if result.fee is not None else "",
    }
    session[SESSION_KEY] = [line, *session.get(SESSION_KEY, [])][:KEEP]


def listed(session) -> list[dict]:
    return list(session.get(SESSION_KEY, []))


def clear(session) -> None:
    session.pop(SESSION_KEY, None)
