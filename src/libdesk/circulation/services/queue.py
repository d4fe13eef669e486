"""The hold queue: first come, first served. A copy goes to the earliest-placed hold it can
satisfy, skipping suspended ones (which keep their place); nothing else orders the queue. Also
each hold's place in line and its estimated wait."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from libdesk.catalog.models import Item, ItemStatus, OutboxEntry
from libdesk.circulation.models import (
    CAPTURED_HOLD,
    QUEUED_HOLD,
    Hold,
    HoldStatus,
    Loan,
)
from libdesk.circulation.rules import NoLoanRule, rule_for, terms
from libdesk.core import clock
from libdesk.core.statements import Insert, Select, Update

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


@dataclass(frozen=True)
class Wait:
    """How long until a copy may be free, and the same as a librarian would say it: "about
    12 days", "in transit, expected within 2 days", "being repaired, no date yet"."""

    days: int | None
    words: str


NO_DATE = {
    ItemStatus.IN_REPAIR: _("being repaired, no date yet"),
    ItemStatus.DAMAGED: _("being repaired, no date yet"),
    ItemStatus.MISSING: _("being looked for, no date yet"),
    ItemStatus.CLAIMED_RETURNED: _("being looked for, no date yet"),
}


@dataclass(frozen=True)
class QueuePlace:
    position: int
    estimated_wait_days: int | None
    wait: str = ""  # the estimate in words (Wait.words); "" when there is none


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


def save_progress(hold: Hold) -> None:
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


NEW_OUTBOX_ENTRY = Insert(OutboxEntry, record_id=int)


def reindex(record_id: int) -> None:
    """A copy's status changed: its record's availability in the search index follows, from
    the outbox entry written in this transaction."""
    from libdesk.catalog.search.tasks import request_index_drain

    NEW_OUTBOX_ENTRY.run(record_id=record_id)
    request_index_drain()


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
    return _place(len(ahead) + 1, estimate(hold, len(ahead) + 1))


def _place(position: int, wait: Wait | None) -> QueuePlace:
    if wait is None:
        return QueuePlace(position, None)
    return QueuePlace(position, wait.days, wait.words)


def queue_places(held: list[Hold]) -> dict[int, QueuePlace]:
    """`queue_place` for a patron's holds at once, in a fixed number of queries however many
    there are (the account page, `/me/holds`, the serving page): the competing holds and the
    copies are read once for all of them, and the places worked out here."""
    queued = [h for h in held if h.status in QUEUED_HOLD]
    places = {
        h.pk: QueuePlace(0, 0 if h.status in CAPTURED_HOLD else None)
        for h in held
        if h.status not in QUEUED_HOLD
    }
    if not queued:
        return places
    rivals = _rivals_of(queued)
    copies = _copies_of(queued)
    terms_now, loan_days = terms(), {}
    for hold in queued:
        ahead = [r for r in rivals if _competes(r, hold) and _before(r, hold)]
        position = len(ahead) + 1
        kind = hold.record.material_type
        if kind not in loan_days:
            loan_days[kind] = _loan_days(kind)
        wait = _wait(_copies_filling(hold, copies), position, loan_days[kind], terms_now)
        places[hold.pk] = _place(position, wait)
    return places


def _rivals_of(queued: list[Hold]) -> list[dict]:
    """Every queued hold on any of these titles or works, once."""
    records = {h.record_id for h in queued}
    works = {h.record.work_id for h in queued} | {h.work_id for h in queued if h.work_id}
    target = Q(record_id__in=records) | Q(work_id__in=works) | Q(record__work_id__in=works)
    return list(
        Hold.objects.filter(target, status__in=QUEUED_HOLD).values(
            "pk", "record_id", "work_id", "record__work_id", "placed_at"
        )
    )


def _competes(rival: dict, hold: Hold) -> bool:
    """The Python twin of `_competing`: the same title, the work it belongs to, or (for a
    hold on a whole work) any title of that work."""
    if rival["record_id"] == hold.record_id or rival["work_id"] == hold.record.work_id:
        return True
    return hold.work_id is not None and rival["record__work_id"] == hold.work_id


def _before(rival: dict, hold: Hold) -> bool:
    return (rival["placed_at"], rival["pk"]) < (hold.placed_at, hold.pk)


def _copies_of(queued: list[Hold]) -> list[Item]:
    """The copies that may fill any of these holds, each with its open loan's due date."""
    target = (
        Q(pk__in={h.item_id for h in queued if h.item_id})
        | Q(record__work_id__in={h.work_id for h in queued if h.work_id})
        | Q(record_id__in={h.record_id for h in queued})
    )
    due = Loan.objects.filter(item=OuterRef("pk"), closed_at__isnull=True).values("due")[:1]
    copies = Item.objects.filter(target, status__in=HOLDABLE)
    return list(copies.select_related("record").defer("record__marc").annotate(due=Subquery(due)))


def _copies_filling(hold: Hold, copies: list[Item]) -> list[Item]:
    """What `_copies_for` reads for one hold, picked from copies read for several."""
    if hold.item_id is not None:
        return [c for c in copies if c.pk == hold.item_id]
    if hold.work_id is not None:
        same_work = [c for c in copies if c.record.work_id == hold.work_id]
        return [c for c in same_work if not hold.formats or c.record.material_type in hold.formats]
    return [c for c in copies if c.record_id == hold.record_id]


def same_target(hold: Hold) -> Q:
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


def estimate(hold: Hold, position: int) -> Wait | None:
    """How long until a copy may be free for the hold at `position` in line."""
    kind = hold.record.material_type
    return _wait(_copies_for(hold), position, _loan_days(kind), terms())


def _loan_days(material_type: str) -> int:
    try:
        return rule_for("", material_type, None).loan_days
    except NoLoanRule:
        return 21


def _wait(copies: list[Item], position: int, loan_days: int, desk_terms) -> Wait | None:
    """Each copy is free when its loan is due; a copy in transit when it arrives (after a
    shelf wait and a loan too, if it is set aside for someone); a copy on the hold shelf after
    the shelf wait and a loan. Each hold ahead takes the soonest-free copy for one loan period.
    Copies being repaired or looked for have no date: they count only when no copy has one."""
    if not copies:
        return None
    today = clock.today()
    set_aside = _set_aside({c.pk for c in copies if c.status == ItemStatus.IN_TRANSIT})
    shelf_and_loan = desk_terms.hold_shelf_days + loan_days
    free_in: list[tuple[int, str]] = []
    for copy in copies:
        if copy.due is not None:
            free_in.append((max(0, (copy.due - today).days), "loan"))
        elif copy.status == ItemStatus.IN_TRANSIT and copy.pk not in set_aside:
            free_in.append((desk_terms.transit_days, "transit"))
        elif copy.status == ItemStatus.IN_TRANSIT:
            free_in.append((desk_terms.transit_days + shelf_and_loan, "loan"))
        elif copy.status == ItemStatus.ON_HOLD_SHELF:
            free_in.append((shelf_and_loan, "loan"))
        elif copy.status == ItemStatus.AVAILABLE:
            free_in.append((0, "shelf"))
    if not free_in:
        status = min(copy.status for copy in copies)
        return Wait(None, str(NO_DATE.get(status, _("no date yet"))))
    heapq.heapify(free_in)
    for _turn in range(position - 1):
        days, _why = heapq.heappop(free_in)
        heapq.heappush(free_in, (days + loan_days, "loan"))
    days, why = free_in[0]
    return Wait(days, _in_words(days, why))


def _in_words(days: int, why: str) -> str:
    if why == "shelf":
        return str(_("a copy is on the shelf now"))
    if why == "transit":
        return ngettext(
            "in transit, expected within %(n)s day", "in transit, expected within %(n)s days", days
        ) % {"n": days}
    if days == 0:
        return str(_("a copy is due back now"))
    return ngettext("about %(n)s day", "about %(n)s days", days) % {"n": days}


def _set_aside(in_transit: set[int]) -> set[int]:
    """Of these copies in transit, those travelling to fill someone's hold."""
    if not in_transit:
        return set()
    held = Hold.objects.filter(captured_item_id__in=in_transit, status__in=CAPTURED_HOLD)
    return set(held.values_list("captured_item_id", flat=True))
