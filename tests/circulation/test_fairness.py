"""First come, first served, as a property: for any sequence of placements, suspensions,
cancellations, returns, transfers, pickups and shelf expiries, every copy goes to the
earliest-placed hold it can satisfy among those waiting, and never past one.

The oracle here is written independently of the services: its own idea of which hold a copy
can fill, and of which holds are waiting."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libdesk.catalog.models import Item
from libdesk.circulation import services
from libdesk.circulation.models import ACTIVE_HOLD, Hold
from libdesk.circulation.services.queue import queue_place, queue_places
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.library.models import Branch
from libdesk.patrons.models import Patron
from tests.conftest import AVERY, BEATRICE, JORDAN, SAM

pytestmark = pytest.mark.django_db
HOLDERS = [AVERY, BEATRICE, JORDAN, SAM]
START = date(2027, 3, 1)

patron_ids = st.integers(0, len(HOLDERS) - 1)
copies = st.integers(0, 2)
branches = st.sampled_from(["MAIN", "KEEW"])
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("place"), patron_ids, st.sampled_from(["A", "B", "work", "copy0"]), branches
        ),
        st.tuples(st.just("suspend"), st.integers(0, 20), st.sampled_from([None, 1, 3])),
        st.tuples(st.just("resume"), st.integers(0, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("checkin"), copies, branches),
        st.tuples(st.just("pickup"), st.integers(0, 20)),
        st.tuples(st.just("walk_in"), copies, branches),
        st.tuples(st.just("days"), st.integers(1, 9)),
    ),
    max_size=30,
)


def can_fill(hold: Hold, copy: Item) -> bool:
    """The oracle's own reading of a hold's target."""
    if hold.item_id:
        return hold.item_id == copy.pk
    if hold.work_id:
        same_work = copy.record.work_id == hold.work_id
        return same_work and (not hold.formats or copy.record.material_type in hold.formats)
    return hold.record_id == copy.record_id


def waiting(today: date) -> list[Hold]:
    found = Hold.objects.filter(status__in=["waiting", "suspended"]).order_by("placed_at", "pk")
    return [
        h
        for h in found
        if h.status == "waiting" or (h.suspended_until is not None and h.suspended_until <= today)
    ]


def check_captures(
    before: list[Hold], captured_before: set[int], shelf: list[Item], handled: set[int]
) -> None:
    """Every copy captured by this step went to the earliest waiting hold it could fill, and
    no copy this step handled (returned, passed on) went past a waiting hold it could fill.
    Copies left on the shelf are on the pull list until staff check them in."""
    now_captured = {h.pk: h for h in Hold.objects.filter(status__in=["in_transit", "ready"])}
    fresh = {pk: h for pk, h in now_captured.items() if pk not in captured_before}
    still_waiting = [h for h in before if h.pk not in fresh]
    for hold in fresh.values():
        copy = Item.objects.select_related("record").get(pk=hold.captured_item_id)
        assert can_fill(hold, copy)
        assert hold.pk in {h.pk for h in before}, "a hold that was not waiting was filled"
        earlier = [
            h
            for h in still_waiting
            if can_fill(h, copy) and (h.placed_at, h.pk) < (hold.placed_at, hold.pk)
        ]
        assert not earlier, f"hold {hold.pk} was filled before earlier hold {earlier[0].pk}"
    for copy in shelf:
        copy.refresh_from_db()
        went_home = copy.status == "in_transit" and not any(
            h.captured_item_id == copy.pk for h in now_captured.values()
        )
        if copy.pk in handled and (copy.status == "available" or went_home):
            passed_over = [h for h in still_waiting if can_fill(h, copy)]
            assert not passed_over, f"copy {copy.barcode} went past hold {passed_over[0].pk}"


@pytest.fixture
def world(shelf, desk):
    a = shelf.record("Fair Title", year=2001)
    b = shelf.record("Fair Title", year=2015, form="d")  # the large-print edition
    assert a.work_id == b.work_id
    copies = [shelf.copy(a, "MAIN"), shelf.copy(a, "KEEW"), shelf.copy(b, "MAIN")]
    walk_in = Patron.objects.create(
        card_number="29000000000099",
        name="Walk In",
        phone="807-555-0199",
        category="adult",
        home_branch=Branch.objects.get(code="MAIN"),
        card_expires=date(2030, 1, 1),
        registered_at=clock.now(),
    )
    return {"records": {"A": a, "B": b}, "copies": copies, "walk_in": walk_in, "desk": desk}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(steps=operations)
def test_holds_are_filled_in_placement_order(world, steps):
    with transaction.atomic(), clock.travel_to(START):
        run_steps(world, steps)
        transaction.set_rollback(True)


def run_steps(world, steps) -> None:
    desks = {"MAIN": world["desk"]("MAIN-DESK-1"), "KEEW": world["desk"]("KEEW-DESK-1")}
    patrons = [Patron.objects.get(card_number=c) for c in HOLDERS]
    copies = world["copies"]
    placed: list[Hold] = []
    for step in steps:
        clock.advance(timedelta(minutes=1))  # steps happen one after another, as at a desk
        today = clock.today()
        before = waiting(today)
        captured_before = set(
            Hold.objects.filter(status__in=["in_transit", "ready"]).values_list("pk", flat=True)
        )
        kind = step[0]
        handled: set[int] = set()
        ready_before = {h.captured_item_id for h in Hold.objects.filter(status="ready")}
        try:
            if kind == "place":
                _, who, target, pickup = step
                record = world["records"]["A" if target in ("work", "copy0") else target]
                hold, _ = services.place_hold(
                    desks[pickup],
                    patrons[who],
                    pickup_branch=desks[pickup].branch,
                    record=None if target == "copy0" else record,
                    item=copies[0] if target == "copy0" else None,
                    any_edition=target == "work",
                )
                placed.append(hold)
            elif kind in ("suspend", "resume", "cancel", "pickup") and placed:
                hold = Hold.objects.filter(pk=placed[step[1] % len(placed)].pk).first()
                if hold is None:
                    pass  # ended and deleted by the daily job: nothing left to act on
                elif kind == "suspend":
                    until = today + timedelta(days=step[2]) if step[2] else None
                    services.suspend_hold(desks["MAIN"], hold, until)
                elif kind == "resume":
                    services.resume_hold(desks["MAIN"], hold)
                elif kind == "cancel":
                    if hold.status == "ready":  # an in-transit copy is routed on arrival
                        handled.add(hold.captured_item_id)
                    services.cancel_hold(desks["MAIN"], hold)
                elif hold.status == "ready":
                    services.checkout(
                        desks[hold.pickup_branch.code], hold.patron, hold.captured_item.barcode
                    )
            elif kind == "checkin":
                handled.add(copies[step[1]].pk)
                services.checkin(desks[step[2]], copies[step[1]].barcode)
            elif kind == "walk_in":
                copy = Item.objects.select_related("record").get(pk=copies[step[1]].pk)
                spare = [
                    c
                    for c in Item.objects.filter(status="available")
                    .exclude(pk=copy.pk)
                    .select_related("record")
                ]
                wanting = [h for h in before if can_fill(h, copy)]
                result = services.checkout(desks[step[2]], world["walk_in"], copy.barcode)
                if result.created and copy.status == "available":
                    usable = [c for c in spare if any(can_fill(h, c) for h in wanting)]
                    assert len(wanting) <= len(usable), "a walk-in took a copy the queue needed"
            elif kind == "days":
                clock.advance(timedelta(days=step[1]))
                before = waiting(clock.today())
                services.expire_and_resume()
                ready_after = {h.captured_item_id for h in Hold.objects.filter(status="ready")}
                handled |= ready_before - ready_after
        except Refused:
            pass  # a refusal changes nothing; the order must still hold afterwards
        check_captures(before, captured_before, copies, handled)
        check_places_read_at_once_match()


def check_places_read_at_once_match() -> None:
    """Places in line worked out for a list of holds at once (the account page, /me/holds)
    are exactly those worked out one hold at a time."""
    active = list(Hold.objects.filter(status__in=ACTIVE_HOLD).select_related("record"))
    assert queue_places(active) == {h.pk: queue_place(h) for h in active}


def test_two_holds_and_a_return_fill_the_first(world):
    """The property's simplest case, spelled out."""
    with clock.travel_to(START):
        run_steps(
            world, [("place", 0, "A", "MAIN"), ("place", 1, "A", "MAIN"), ("checkin", 0, "MAIN")]
        )
    first, second = Hold.objects.order_by("placed_at", "pk")
    assert (first.status, second.status) == ("ready", "waiting")
