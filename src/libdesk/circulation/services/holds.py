"""What patrons (and staff serving them) do with holds: place one on a title, a work or a
copy, cancel, suspend and resume it; and the daily job that expires holds left on the shelf
and resumes suspended ones."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.models import Item, MaterialType, Record
from libdesk.circulation.desk import CirculationError, Desk
from libdesk.circulation.models import (
    ACTIVE_HOLD,
    CAPTURED_HOLD,
    ENDED_HOLD,
    Hold,
    HoldStatus,
    Loan,
)
from libdesk.circulation.rules import NoLoanRule, rule_for
from libdesk.circulation.services.queue import HOLDABLE, queue_place
from libdesk.circulation.services.routing import forget_copy, release
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.core.statements import Insert, Select
from libdesk.library.models import Branch
from libdesk.patrons.models import Patron

PATRON_LOCK = Select(
    lambda pk: Patron.objects.select_for_update().filter(pk=pk).values_list("pk"), pk=int
)


ACTIVE_HOLDS = Select(
    lambda patron: (
        Hold.objects.filter(patron_id=patron, status__in=ACTIVE_HOLD)
        .order_by()
        .values_list("record_id", "pk")
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
    from libdesk.circulation.services.alternatives import alternatives_for, request_alternatives

    today = clock.today()
    if patron.card_lost_at:
        raise Refused(Decision.refuse("card_lost"))
    if patron.card_expires < today:
        raise Refused(Decision.refuse("card_expired", expired=patron.card_expires))
    try:
        limit = rule_for(patron.category, record.material_type, None).max_holds
    except NoLoanRule as exc:
        raise Refused(exc.decision()) from exc
    active = dict(ACTIVE_HOLDS.all(patron=patron.pk))  # record id -> hold id
    if len(active) >= limit:
        raise Refused(Decision.refuse("hold_limit", count=len(active), limit=limit))
    if record.pk in active:
        offers = alternatives_for(record, patron, pickup, hold=False)
        raise Refused(Decision.refuse("hold_duplicate", offers, hold_id=active[record.pk]))
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
            release(item, hold.pickup_branch)
        forget_copy(hold)
        audit.record(desk.actor, "circulation.hold.cancel", object_type="hold", object_id=hold.pk)
    return hold


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


def expire_and_resume(today: date | None = None) -> dict[str, int]:
    """The daily hold job: resume suspensions that have ended, and expire uncollected holds
    (their copies go to the next in line). Ended holds are deleted by the retention purge
    (`delete_ended_holds`, registered in circulation/patron_data.py)."""
    today = today or clock.today()
    done = {"resumed": 0, "expired": 0}
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
            release(hold.captured_item, hold.pickup_branch)
            forget_copy(hold)
            done["expired"] += 1
    return done


def delete_ended_holds() -> int:
    """Filled, cancelled and expired holds are deleted a day (a setting) after they end: a
    cancelled or expired one names its patron until then (the patron sees it ended); a filled
    one named nobody from the moment it became a loan. The board's wait figures are kept
    apart (`counts`), so nothing is lost."""
    hours = settings.LIBDESK["ENDED_HOLD_RETENTION_HOURS"]
    cutoff = clock.now() - timedelta(hours=hours)
    ended = Hold.objects.filter(status__in=ENDED_HOLD, ended_at__lte=cutoff)
    return ended.delete()[0]
