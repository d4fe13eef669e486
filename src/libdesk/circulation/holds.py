"""Holds: first come, first served.

A returned copy goes to the earliest-placed hold it can satisfy; nothing else orders the queue.
Suspending keeps the hold's place (it is skipped while suspended), and an expired pickup passes
the copy to the next in line.
"""

from __future__ import annotations

import heapq
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.models import Item, ItemStatus, MaterialType, OutboxEntry, Record
from libdesk.circulation import counts
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.models import (
    ACTIVE_HOLD,
    CAPTURED_HOLD,
    QUEUED_HOLD,
    Hold,
    HoldStatus,
    Loan,
)
from libdesk.circulation.rules import NoLoanRule, rule_for, terms
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.core.statements import Insert, Select, Update
from libdesk.library.models import Branch
from libdesk.library.selectors import next_open_day
from libdesk.patrons.models import Patron

# Copies that may yet come back to the shelf; lost, withdrawn and library-use copies never will.
HOLDABLE = (
    ItemStatus.AVAILABLE,
    ItemStatus.ON_LOAN,
    ItemStatus.ON_HOLD_SHELF,
    ItemStatus.IN_TRANSIT,
    ItemStatus.IN_REPAIR,
    ItemStatus.DAMAGED,
    ItemStatus.MISSING,
    ItemStatus.CLAIMED_RETURNED,
)


# Pickup codes: letters and digits that cannot be read as one another (no O/0, I/1, S/5).
CODE_LETTERS, CODE_DIGITS = "ACDEFGHJKLMNPQRTUVWXY", "2346789"


@dataclass(frozen=True)
class QueuePlace:
    position: int
    estimated_wait_days: int | None


def satisfies(hold: Hold, item: Item) -> bool:
    """Whether this copy can fill this hold (the record's work must be loaded)."""
    if hold.item_id is not None:
        return hold.item_id == item.pk
    if hold.work_id is not None:
        in_work = item.record.work_id == hold.work_id
        return in_work and (not hold.formats or item.record.material_type in hold.formats)
    return hold.record_id == item.record_id


def waiting_now(hold: Hold, today: date) -> bool:
    """In line for a copy today: waiting, or suspended until a day that has come."""
    if hold.status == HoldStatus.WAITING:
        return True
    return hold.status == HoldStatus.SUSPENDED and bool(
        hold.suspended_until and hold.suspended_until <= today
    )


def _queue_statement(lock: bool) -> Select:
    def build(item_id: int, record_id: int, work_id: int):
        query = Hold.objects.filter(status__in=QUEUED_HOLD).filter(
            Q(item_id=item_id)
            | Q(item__isnull=True, work__isnull=True, record_id=record_id)
            | Q(item__isnull=True, work_id=work_id)
        )
        if lock:
            query = query.select_for_update(of=("self",))
        return query.select_related("patron", "pickup_branch").order_by("placed_at", "pk")

    return Select(build, item_id=int, record_id=int, work_id=int)


QUEUE = {False: _queue_statement(False), True: _queue_statement(True)}


def _progress(
    pk, status, suspended_until, captured_item, captured_at, ready_at, expires, code, ended
):
    changes = {
        "status": status,
        "suspended_until": suspended_until,
        "captured_item_id": captured_item,
        "captured_at": captured_at,
        "ready_at": ready_at,
        "shelf_expires": expires,
        "pickup_code": code,
        "ended_at": ended,
    }
    return Hold.objects.filter(pk=pk), changes


# A hold moving along its way (captured, shelved, sent on, filled): the fields that change.
HOLD_PROGRESS = Update(
    _progress,
    pk=int,
    status=str,
    suspended_until=date,
    captured_item=int,
    captured_at=datetime,
    ready_at=datetime,
    expires=date,
    code=str,
    ended=datetime,
)


def _save_progress(hold: Hold) -> None:
    HOLD_PROGRESS.run(
        pk=hold.pk,
        status=hold.status,
        suspended_until=hold.suspended_until,
        captured_item=hold.captured_item_id,
        captured_at=hold.captured_at,
        ready_at=hold.ready_at,
        expires=hold.shelf_expires,
        code=hold.pickup_code,
        ended=hold.ended_at,
    )


def queue_for(item: Item, *, lock: bool = False) -> list[Hold]:
    """The queued holds this copy could fill, in placement order."""
    queue = QUEUE[lock].all(item_id=item.pk, record_id=item.record_id, work_id=item.record.work_id)
    return [h for h in queue if satisfies(h, item)]


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
        _save_progress(hold)
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
            _save_progress(hold)
        return hold
    hold.status = HoldStatus.IN_TRANSIT  # carried off somewhere: on to the pickup branch
    hold.ready_at = hold.shelf_expires = None
    item.status, item.in_transit_to = ItemStatus.IN_TRANSIT, hold.pickup_branch
    _save_progress(hold)
    return hold


PATRON_LOCK = Select(
    lambda pk: Patron.objects.select_for_update().filter(pk=pk).values_list("pk"), pk=int
)
ACTIVE_HOLDS = Select(
    lambda patron: (
        Hold.objects.filter(patron_id=patron, status__in=ACTIVE_HOLD)
        .order_by()
        .values_list("record_id")
    ),
    patron=int,
)
BORROWING = Select(
    lambda patron, record: Loan.objects.filter(
        patron_id=patron, closed_at__isnull=True, item__record_id=record
    ).values_list("pk")[:1],
    patron=int,
    record=int,
)
HOLDABLE_COPY = {
    "item": Select(
        lambda pk: Item.objects.filter(status__in=HOLDABLE, pk=pk).values_list("pk")[:1], pk=int
    ),
    "record": Select(
        lambda pk: Item.objects.filter(status__in=HOLDABLE, record_id=pk).values_list("pk")[:1],
        pk=int,
    ),
}


NEW_HOLD = Insert(
    Hold,
    patron_id=int,
    record_id=int,
    work_id=int,
    item_id=int,
    formats=list,
    pickup_branch_id=int,
    placed_at=datetime,
    status=str,
)


def place_hold(
    desk: Desk,
    patron: Patron,
    *,
    pickup_branch: Branch,
    record: Record | None = None,
    item: Item | None = None,
    any_edition: bool = False,
    formats: tuple[str, ...] = (),
) -> tuple[Hold, Decision]:
    """Put the patron in line for a title (or a whole work) or one copy."""
    if (record is None) == (item is None):
        raise CirculationError("record_id", _("give either a record or an item barcode"))
    unknown = set(formats) - set(MaterialType.values)
    if unknown:
        raise CirculationError("formats", _("unknown formats: %s") % ", ".join(sorted(unknown)))
    record = item.record if item is not None else record
    with transaction.atomic():
        PATRON_LOCK.first(pk=patron.pk)  # one request at a time
        _check_hold(patron, record, item, pickup_branch)
        hold = Hold(
            patron=patron,
            record=record,
            work=record.work if any_edition and item is None else None,
            item=item,
            formats=sorted(set(formats)) if any_edition else [],
            pickup_branch=pickup_branch,
            placed_at=clock.now(),
            status=HoldStatus.WAITING,
        )
        NEW_HOLD.save(hold)
        audit.record(desk.actor, "circulation.hold.place", object_type="hold", object_id=hold.pk)
    place = queue_place(hold)
    return hold, Decision.allow("hold_placed", position=place.position)


def holdable_copies(record: Record) -> list[Item]:
    """The copies of a record a patron may hold one by one: any that can come back."""
    copies = Item.objects.filter(record=record, status__in=HOLDABLE).select_related("branch")
    return list(copies)


def _check_hold(patron: Patron, record: Record, item: Item | None, pickup: Branch) -> None:
    from libdesk.circulation.alternatives import alternatives_for, request_alternatives

    today = clock.today()
    if patron.card_lost_at:
        raise Refused(Decision.refuse("card_lost"))
    if patron.card_expires < today:
        raise Refused(Decision.refuse("card_expired", expired=patron.card_expires))
    try:
        limit = rule_for(patron.category, record.material_type, None).max_holds
    except NoLoanRule as exc:
        raise Refused(exc.decision()) from exc
    active = [row[0] for row in ACTIVE_HOLDS.all(patron=patron.pk)]
    if len(active) >= limit:
        raise Refused(Decision.refuse("hold_limit", count=len(active), limit=limit))
    if record.pk in active:
        offers = alternatives_for(record, patron, pickup, hold=False)
        raise Refused(Decision.refuse("hold_duplicate", offers))
    if BORROWING.first(patron=patron.pk, record=record.pk):
        raise Refused(Decision.refuse("hold_already_borrowed"))
    if item is not None:
        holdable = HOLDABLE_COPY["item"].first(pk=item.pk)
    else:
        holdable = HOLDABLE_COPY["record"].first(pk=record.pk)
    if not holdable:
        alternatives = request_alternatives(record)
        raise Refused(Decision.refuse("nothing_to_hold", alternatives=alternatives))


def _refuse_if_ended(hold: Hold) -> None:
    """A filled, cancelled or expired hold is out of the queue for good: nothing about it can
    change any more (a new hold joins the line at its end)."""
    if hold.status not in ACTIVE_HOLD:
        raise Refused(Decision.refuse("hold_ended", state=HoldStatus(hold.status).label))


def cancel_hold(desk: Desk, hold: Hold) -> Hold:
    """The patron (or staff for them) leaves the queue; a captured copy passes to the next."""
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        _refuse_if_ended(hold)
        was_ready = hold.status == HoldStatus.READY
        item = hold.captured_item
        hold.status, hold.ended_at = HoldStatus.CANCELLED, clock.now()
        hold.save()
        if item is not None and was_ready:
            _release(item, hold.pickup_branch)
        audit.record(desk.actor, "circulation.hold.cancel", object_type="hold", object_id=hold.pk)
    return hold


def _release(item: Item, at_branch: Branch) -> None:
    """A copy on a hold shelf that is no longer wanted there goes to the next in line."""
    item = Item.objects.select_for_update(of=("self",)).select_related("record").get(pk=item.pk)
    route(item, at_branch)
    item.save(update_fields=["status", "in_transit_to"])
    reindex(item.record_id)


NEW_OUTBOX_ENTRY = Insert(OutboxEntry, record_id=int)


def reindex(record_id: int) -> None:
    """A copy's status changed: its record's availability in the search index follows, from
    the outbox entry written in this transaction."""
    from libdesk.catalog.search.tasks import request_index_drain

    NEW_OUTBOX_ENTRY.run(record_id=record_id)
    request_index_drain()


def suspend_hold(desk: Desk, hold: Hold, until: date | None) -> Hold:
    """Pause a hold without losing its place; it is skipped until `until` (or until resumed).
    A hold with a copy already set aside cannot pause: that copy would wait for nobody."""
    today = clock.today()
    if until is not None and until <= today:
        raise CirculationError("until", _("choose a day after today"))
    if until is not None and until > today + timedelta(days=366):
        raise CirculationError("until", _("a hold can be suspended for at most a year"))
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        _refuse_if_ended(hold)
        if hold.status in CAPTURED_HOLD:
            state = HoldStatus(hold.status).label
            raise Refused(Decision.refuse("hold_set_aside", state=state))
        hold.status, hold.suspended_until = HoldStatus.SUSPENDED, until
        hold.save()
        audit.record(desk.actor, "circulation.hold.suspend", object_type="hold", object_id=hold.pk)
    return hold


def resume_hold(desk: Desk, hold: Hold) -> Hold:
    """Back in line at the same place. A hold that is active and not suspended is already
    where resuming would put it, so it is answered as it is (a second click changes nothing)."""
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        _refuse_if_ended(hold)
        if hold.status != HoldStatus.SUSPENDED:
            return hold
        hold.status, hold.suspended_until = HoldStatus.WAITING, None
        hold.save()
        audit.record(desk.actor, "circulation.hold.resume", object_type="hold", object_id=hold.pk)
    return hold


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
        _save_progress(hold)
    return hold


def queue_place(hold: Hold) -> QueuePlace:
    """Position in line (1 is next) and a wait estimate in days, from the copies' due dates
    and the loan period. Renewals do not add to it: a copy someone waits for cannot renew."""
    if hold.status not in QUEUED_HOLD:
        return QueuePlace(0, 0 if hold.status in CAPTURED_HOLD else None)
    values = {"record": hold.record_id, "record_work": hold.record.work_id}
    values.update(placed_at=hold.placed_at, pk=hold.pk)
    if hold.work_id is not None:
        values["work"] = hold.work_id
    ahead = AHEAD[hold.work_id is not None].all(**values)
    return QueuePlace(len(ahead) + 1, _estimate(hold, len(ahead) + 1))


def _same_target(hold: Hold) -> Q:
    """Holds competing with this one for copies: the same title, or the work it belongs to."""
    return _competing(hold.record_id, hold.record.work_id, hold.work_id)


def _competing(record: int, record_work: int, work: int | None) -> Q:
    target = Q(record_id=record) | Q(work_id=record_work)
    if work is not None:
        target |= Q(record__work_id=work)
    return target


def _ahead_statement(by_work: bool) -> Select:
    """The queued holds placed before this one for the same title (or work)."""

    def build(record: int, record_work: int, placed_at: datetime, pk: int, work: int = 0):
        target = _competing(record, record_work, work if by_work else None)
        before = Q(placed_at__lt=placed_at) | Q(placed_at=placed_at, pk__lt=pk)
        return (
            Hold.objects.filter(target, before, status__in=QUEUED_HOLD).order_by().values_list("pk")
        )

    slots = {"record": int, "record_work": int, "placed_at": datetime, "pk": int}
    return Select(build, **slots, **({"work": int} if by_work else {}))


AHEAD = {False: _ahead_statement(False), True: _ahead_statement(True)}


def _copies_statement(target: str) -> Select:
    """The copies that may fill a hold, each with its open loan's due date."""

    def build(pk: int):
        due = Loan.objects.filter(item=OuterRef("pk"), closed_at__isnull=True).values("due")[:1]
        copies = Item.objects.filter(status__in=HOLDABLE, **{target: pk})
        return copies.select_related("record").defer("record__marc").annotate(due=Subquery(due))

    return Select(build, pk=int)


COPIES = {name: _copies_statement(name) for name in ("pk", "record__work_id", "record_id")}


def _copies_for(hold: Hold) -> list[Item]:
    if hold.item_id is not None:
        return COPIES["pk"].all(pk=hold.item_id)
    if hold.work_id is not None:
        copies = COPIES["record__work_id"].all(pk=hold.work_id)
        return [c for c in copies if not hold.formats or c.record.material_type in hold.formats]
    return COPIES["record_id"].all(pk=hold.record_id)


def _estimate(hold: Hold, position: int) -> int | None:
    today = clock.today()
    copies = _copies_for(hold)
    if not copies:
        return None
    try:
        loan_days = rule_for("", hold.record.material_type, None).loan_days
    except NoLoanRule:
        loan_days = 21
    shelf_days = terms().hold_shelf_days
    free_in = []
    for copy in copies:
        if copy.due is not None:
            free_in.append(max(0, (copy.due - today).days))
        elif copy.status in (ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT):
            free_in.append(shelf_days + loan_days)
        else:
            free_in.append(0)
    heapq.heapify(free_in)
    for _turn in range(position - 1):
        heapq.heappush(free_in, heapq.heappop(free_in) + loan_days)
    return free_in[0]


def expire_and_resume(today: date | None = None) -> dict[str, int]:
    """The daily hold job: resume suspensions that have ended, expire uncollected holds (their
    copies go to the next in line), and unlink ended holds from their patrons after a day."""
    today = today or clock.today()
    done = {"resumed": 0, "expired": 0, "unlinked": 0}
    done["resumed"] = Hold.objects.filter(
        status=HoldStatus.SUSPENDED, suspended_until__lte=today
    ).update(status=HoldStatus.WAITING, suspended_until=None)
    for hold_id in Hold.objects.filter(
        status=HoldStatus.READY, shelf_expires__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            hold = Hold.objects.select_for_update().filter(pk=hold_id, status="ready").first()
            if hold is None:
                continue  # picked up or cancelled meanwhile; a re-run skips it too
            hold.status, hold.ended_at = HoldStatus.EXPIRED, clock.now()
            hold.save()
            _release(hold.captured_item, hold.pickup_branch)
            done["expired"] += 1
    done["unlinked"] = unlink_ended_holds()
    return done


def unlink_ended_holds() -> int:
    """Filled, cancelled and expired holds lose their patron a day (a setting) after they end."""
    hours = settings.LIBDESK["ENDED_HOLD_RETENTION_HOURS"]
    cutoff = clock.now() - timedelta(hours=hours)
    return Hold.objects.filter(
        patron__isnull=False,
        status__in=[HoldStatus.FULFILLED, HoldStatus.CANCELLED, HoldStatus.EXPIRED],
        ended_at__lte=cutoff,
    ).update(patron=None, pickup_code="")
