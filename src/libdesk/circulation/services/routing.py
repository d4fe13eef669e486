"""Where a copy in hand goes next: set aside for the first hold in line it can fill (onto this
branch's hold shelf with a random pickup code, or in transit to the pickup branch), back to its
shelf, or home in transit; and received at the branch it travelled to."""

from __future__ import annotations

import secrets
from datetime import timedelta

from libdesk.catalog.models import Item, ItemStatus
from libdesk.circulation import counts
from libdesk.circulation.models import (
    CAPTURED_HOLD,
    Hold,
    HoldStatus,
)
from libdesk.circulation.rules import terms
from libdesk.circulation.services.queue import queue_for, reindex, save_progress, waiting_now
from libdesk.core import clock
from libdesk.core.statements import Select, Update
from libdesk.library.models import Branch
from libdesk.library.selectors import next_open_day
from libdesk.patrons.models import Patron

# Pickup codes: letters and digits that cannot be read as one another (no O/0, I/1, S/5).
CODE_LETTERS, CODE_DIGITS = "ACDEFGHJKLMNPQRTUVWXY", "2346789"


def capture(item: Item, at_branch: Branch) -> Hold | None:
    """Give the copy in hand to the first hold in line it can fill: onto this branch's hold
    shelf, or in transit to the pickup branch. None when nobody is waiting for it."""
    today = clock.today()
    for hold in queue_for(item, lock=True):
        if not waiting_now(hold, today):
            continue
        hold.suspended_until = None
        hold.captured_item, hold.captured_at = item, clock.now()
        hold.pickup_code = new_pickup_code(hold.pickup_branch_id)
        if hold.pickup_branch_id == at_branch.pk:
            _put_on_shelf(hold, item)
        else:
            hold.status = HoldStatus.IN_TRANSIT
            item.status, item.in_transit_to = ItemStatus.IN_TRANSIT, hold.pickup_branch
        save_progress(hold)
        return hold
    return None


def _put_on_shelf(hold: Hold, item: Item) -> None:
    from libdesk.circulation.tasks import queue_notice

    hold.status = HoldStatus.READY
    hold.ready_at = clock.now()
    shelf_days = terms().hold_shelf_days
    hold.shelf_expires = next_open_day(hold.pickup_branch, clock.today() + timedelta(shelf_days))
    hold.pickup_code = hold.pickup_code or new_pickup_code(hold.pickup_branch_id)
    item.status, item.in_transit_to = ItemStatus.ON_HOLD_SHELF, None
    counts.wait("hold", hold.pickup_branch, hold.placed_at)
    queue_notice("hold_ready", hold.pk)


def new_pickup_code(pickup_branch_id: int) -> str:
    """A random code for the slip, the hold-shelf list and the patron's notice (PRIVACY.md):
    nothing in it comes from the patron's name or card, so the shelf, a check-in answer or a
    slip names nobody. Unique among the holds waiting on that branch's shelf."""
    for _attempt in range(50):
        letters = "".join(secrets.choice(CODE_LETTERS) for _letter in range(3))
        digits = "".join(secrets.choice(CODE_DIGITS) for _digit in range(3))
        code = f"{letters}-{digits}"
        taken = Hold.objects.filter(
            pickup_branch_id=pickup_branch_id, status__in=CAPTURED_HOLD, pickup_code=code
        )
        if not taken.exists():
            return code
    raise RuntimeError("no free pickup code after 50 draws: the code space is too small")


def route(item: Item, at_branch: Branch) -> Hold | None:
    """Where a copy in hand goes next: a hold, its home shelf, or in transit home."""
    hold = capture(item, at_branch)
    if hold is None:
        if item.branch_id == at_branch.pk:
            item.status, item.in_transit_to = ItemStatus.AVAILABLE, None
        else:
            item.status, item.in_transit_to = ItemStatus.IN_TRANSIT, item.branch
    return hold


SET_ASIDE_FOR = Select(
    lambda item: (
        Hold.objects.select_for_update(of=("self",))
        .select_related("pickup_branch", "patron")
        .filter(captured_item_id=item, status__in=CAPTURED_HOLD)[:1]
    ),
    item=int,
)


def receive(item: Item, at_branch: Branch) -> Hold | None:
    """A copy is in staff hands at a branch (a return, an arrival, a stray scan): a copy set
    aside for a hold stays with that hold (shelved here, or sent on to its pickup branch);
    any other copy is routed anew."""
    hold = SET_ASIDE_FOR.first(item=item.pk)
    if hold is None:
        return route(item, at_branch)
    if hold.pickup_branch_id == at_branch.pk:
        if hold.status == HoldStatus.READY:
            item.status, item.in_transit_to = ItemStatus.ON_HOLD_SHELF, None
        else:
            _put_on_shelf(hold, item)
            save_progress(hold)
        return hold
    hold.status = HoldStatus.IN_TRANSIT  # carried off somewhere: on to the pickup branch
    hold.ready_at = hold.shelf_expires = None
    item.status, item.in_transit_to = ItemStatus.IN_TRANSIT, hold.pickup_branch
    save_progress(hold)
    return hold


def release(item: Item, at_branch: Branch) -> None:
    """A copy on a hold shelf that is no longer wanted there goes to the next in line."""
    item = Item.objects.select_for_update(of=("self",)).select_related("record").get(pk=item.pk)
    route(item, at_branch)
    item.save(update_fields=["status", "in_transit_to"])
    reindex(item.record_id)


def fulfil_for(patron: Patron, item: Item, *, queue: list[Hold] | None = None) -> Hold | None:
    """The patron takes a copy: the hold it was set aside for them, or their hold it fills.
    `queue` is the copy's queue when the caller has just read it (a copy from the shelf)."""
    if queue is None:
        hold = Hold.objects.filter(
            patron=patron, captured_item=item, status__in=CAPTURED_HOLD
        ).first() or next((h for h in queue_for(item) if h.patron_id == patron.pk), None)
    else:
        hold = next((h for h in queue if h.patron_id == patron.pk), None)
    if hold is not None:
        hold.status, hold.ended_at = HoldStatus.FULFILLED, clock.now()
        if hold.ready_at is None:
            counts.wait("hold", hold.pickup_branch, hold.placed_at)
        save_progress(hold)
        # The loan now carries the pair until check-in; the hold keeps neither (PRIVACY.md).
        FORGET_PATRON_AND_COPY.run(pk=hold.pk)
        hold.patron = hold.item = hold.captured_item = None
        hold.pickup_code = ""
    return hold


def forget_copy(hold: Hold) -> None:
    """An ended hold (cancelled, expired) stops naming the copy it asked for or was given, at
    once; it names its patron only until the daily job deletes it."""
    FORGET_COPY.run(pk=hold.pk)
    hold.item = hold.captured_item = None
    hold.pickup_code = ""


FORGET_COPY = Update(
    lambda pk: (
        Hold.objects.filter(pk=pk),
        {"item": None, "captured_item": None, "pickup_code": ""},
    ),
    pk=int,
)
FORGET_PATRON_AND_COPY = Update(
    lambda pk: (
        Hold.objects.filter(pk=pk),
        {"patron": None, "item": None, "captured_item": None, "pickup_code": ""},
    ),
    pk=int,
)
