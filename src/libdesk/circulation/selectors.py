"""Reads of circulation data. Patron-linked reads take an Access (serving context, the patron
themselves, or a guardian), check the access table and audit the kind of data read, never
which items. Staff lists (pull list, hold shelf, requests queue) carry no patron identity."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from libdesk.access.purposes import Access
from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.catalog.models import Item, ItemStatus
from libdesk.circulation.models import (
    ACTIVE_HOLD,
    OPEN_REQUEST,
    QUEUED_HOLD,
    Fee,
    Hold,
    HoldStatus,
    Loan,
    LoanState,
    OfflineConflict,
    PatronRequest,
)
from libdesk.circulation.services.queue import QueuePlace, queue_places, waiting_now
from libdesk.core import clock
from libdesk.core.bounds import parse_id
from libdesk.core.errors import NotFound
from libdesk.patrons.models import NoticeChannel, Patron


def current_loans(access: Access) -> QuerySet[Loan]:
    access.read("patron.loans", "loans")
    return (
        Loan.objects.filter(patron_id=access.patron_id, closed_at__isnull=True)
        .select_related("item__record", "branch")
        .order_by("due", "pk")
    )


@dataclass(frozen=True)
class HoldView:
    hold: Hold
    place: QueuePlace


def current_holds(access: Access) -> list[HoldView]:
    access.read("patron.holds", "holds")
    held = (
        Hold.objects.filter(patron_id=access.patron_id, status__in=ACTIVE_HOLD)
        .select_related("record", "pickup_branch")
        .order_by("placed_at", "pk")
    )
    held = list(held)
    places = queue_places(held)
    return [HoldView(h, places[h.pk]) for h in held]


def open_fees(access: Access) -> QuerySet[Fee]:
    access.read("patron.fees", "fees")
    return Fee.objects.filter(patron_id=access.patron_id, closed_at__isnull=True)


def patron_requests(access: Access) -> QuerySet[PatronRequest]:
    access.read("patron.requests", "requests")
    return PatronRequest.objects.filter(patron_id=access.patron_id).order_by("-submitted_at")


# Fetch and authorise in one call (STYLE.md, point 4): each takes the Access of whoever asks
# (a serving context, the patron themselves), checks the access table for the action, audits a
# read, and answers NotFound alike for what does not exist and for what is someone else's.
# Doors never filter these models themselves (tests/privacy/test_doors.py keeps them honest).


def open_offline_conflicts(access: Access) -> list[OfflineConflict]:
    """Offline loans a kiosk replayed that did not fit, still for staff to look at: shown only
    while serving the patron (no list pairs patrons with items outside one). Read as the
    patron's loans, which they are about."""
    access.read("patron.loans", "loans")
    return list(
        OfflineConflict.objects.filter(
            patron_id=access.patron_id, resolved_at__isnull=True
        ).select_related("item__record")
    )


def _authorise(access: Access, resource: str, action: str, data_kind: str) -> None:
    if action == "read":
        access.read(resource, data_kind)
    else:
        access.change(resource)


def loan_for(access: Access, loan_id: object, *, action: str = "read") -> Loan:
    """One of the patron's current loans."""
    _authorise(access, "patron.loans", action, "loans")
    loan = (
        Loan.objects.filter(pk=_id(loan_id), patron_id=access.patron_id, closed_at__isnull=True)
        .select_related("item__record", "branch")
        .first()
    )
    return _found(loan)


def loans_for(access: Access, loan_ids: list | None, *, action: str = "change") -> list[Loan]:
    """The patron's current loans among `loan_ids` (ids of anyone else's are left out, as
    if they did not exist), in due order; every current loan when `loan_ids` is None."""
    _authorise(access, "patron.loans", action, "loans")
    loans = Loan.objects.filter(patron_id=access.patron_id, closed_at__isnull=True)
    if loan_ids is not None:
        loans = loans.filter(pk__in=[_id(pk) for pk in loan_ids])
    return list(loans.select_related("item__record", "branch").order_by("due", "pk"))


def loan_of_item_for(access: Access, item: Item, *, action: str = "change") -> Loan:
    """The patron's current loan of this copy (renewing by barcode)."""
    _authorise(access, "patron.loans", action, "loans")
    loan = (
        Loan.objects.filter(item=item, patron_id=access.patron_id, closed_at__isnull=True)
        .select_related("item__record", "branch")
        .first()
    )
    return _found(loan)


def hold_on_record_for(access: Access, record, *, action: str = "change") -> Hold:
    """The patron's active hold on this title (a kiosk cancels a hold by the item in hand)."""
    _authorise(access, "patron.holds", action, "holds")
    hold = (
        Hold.objects.filter(patron_id=access.patron_id, record=record, status__in=ACTIVE_HOLD)
        .select_related("record", "pickup_branch")
        .first()
    )
    return _found(hold)


def hold_for(access: Access, hold_id: object, *, action: str = "read") -> Hold:
    """One of the patron's holds, whatever its state."""
    _authorise(access, "patron.holds", action, "holds")
    hold = (
        Hold.objects.filter(pk=_id(hold_id), patron_id=access.patron_id)
        .select_related("record", "pickup_branch")
        .first()
    )
    return _found(hold)


def fee_for(access: Access, fee_id: object, *, action: str = "change") -> Fee:
    """One of the patron's open fees (paying or waiving it at the desk)."""
    _authorise(access, "patron.fees", action, "fees")
    fee = Fee.objects.filter(
        pk=_id(fee_id), patron_id=access.patron_id, closed_at__isnull=True
    ).first()
    return _found(fee)


def request_for(access: Access, request_id: object, *, action: str = "read") -> PatronRequest:
    """One of the patron's interlibrary loan requests or purchase suggestions."""
    _authorise(access, "patron.requests", action, "requests")
    found = PatronRequest.objects.filter(pk=_id(request_id), patron_id=access.patron_id).first()
    return _found(found)


def _id(value: object) -> int:
    """A database id from a door's raw value; anything else cannot name a row."""
    number = parse_id(value)
    if number is None:
        raise NotFound
    return number


def _found(row):
    if row is None:
        raise NotFound
    return row


def due_dates(items) -> dict[int, object]:
    """When each copy on loan is due back, for the record page: the date and nothing about
    who has it (PRIVACY.md: "on loan, due ...")."""
    return dict(
        Loan.objects.filter(item__in=items, closed_at__isnull=True).values_list("item_id", "due")
    )


def pull_list(branch) -> list[tuple[Item, Hold]]:
    """Copies on this branch's shelves that a waiting hold needs: staff pull them and check
    them in, which sets each aside for the first hold in line. No patron is named. Two
    queries however long the queue: the waiting holds, then the copies on the shelf here that
    any of them could take, matched in placement order."""
    today = clock.today()
    waiting = [
        hold
        for hold in Hold.objects.filter(status__in=QUEUED_HOLD)
        .select_related("record")
        .order_by("placed_at", "pk")
        if waiting_now(hold, today)
    ]
    if not waiting:
        return []
    wanted = (
        Q(pk__in={h.item_id for h in waiting if h.item_id})
        | Q(record__work_id__in={h.work_id for h in waiting if h.work_id})
        | Q(record_id__in={h.record_id for h in waiting})
    )
    on_shelf = list(
        Item.objects.filter(wanted, branch=branch, status=ItemStatus.AVAILABLE)
        .select_related("record")
        .order_by("pk")
    )
    rows, seen = [], set()
    for hold in waiting:
        copy = next((c for c in on_shelf if c.pk not in seen and _pulls_for(hold, c)), None)
        if copy is not None:
            seen.add(copy.pk)
            rows.append((copy, hold))
    return rows


def _pulls_for(hold: Hold, copy: Item) -> bool:
    """Whether this copy on the shelf is one the hold asks for."""
    if hold.item_id:
        return copy.pk == hold.item_id
    if hold.work_id:
        wanted_format = not hold.formats or copy.record.material_type in hold.formats
        return copy.record.work_id == hold.work_id and wanted_format
    return copy.record_id == hold.record_id


def hold_shelf(branch) -> QuerySet[Hold]:
    """What waits on this branch's hold shelf, by pickup code (never a name)."""
    return (
        Hold.objects.filter(pickup_branch=branch, status=HoldStatus.READY)
        .select_related("record", "captured_item")
        .order_by("pickup_code")
    )


@dataclass(frozen=True)
class Slip:
    """What goes on the slip tucked into a copy checked in: for the hold shelf, the pickup
    code (never a name) and the last day it waits; for transit, where it goes."""

    item: Item
    hold: Hold | None

    @property
    def kind(self) -> str:
        return "hold_shelf" if self.hold is not None else "transit"


def slip_for(barcode: str) -> Slip | None:
    """The slip for a copy waiting on a hold shelf or in transit; None for any other copy
    (it goes back to its shelf, and needs no slip). Names no patron."""
    item = (
        Item.objects.filter(
            barcode=barcode.strip(), status__in=[ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT]
        )
        .select_related("record", "branch", "in_transit_to")
        .first()
    )
    if item is None:
        return None
    if item.status == ItemStatus.IN_TRANSIT:
        return Slip(item, None)
    hold = (
        Hold.objects.filter(captured_item=item, status=HoldStatus.READY)
        .select_related("pickup_branch")
        .first()
    )
    return Slip(item, hold) if hold is not None else None


def in_transit(branch) -> QuerySet[Item]:
    return Item.objects.filter(status=ItemStatus.IN_TRANSIT, in_transit_to=branch).select_related(
        "record"
    )


def request_queue() -> QuerySet[PatronRequest]:
    """Open interlibrary loan requests and purchase suggestions, first come first served."""
    return PatronRequest.objects.filter(status__in=OPEN_REQUEST).order_by("submitted_at", "pk")


@dataclass(frozen=True)
class CallListEntry:
    patron: Patron
    overdue: int
    holds_ready: int


def call_list(staff, workstation) -> list[CallListEntry]:
    """Patrons with no e-mail (every patron, when no mail server is configured) who have
    overdue items or holds ready: staff phone or write to them. Counts only, never titles;
    each patron's contact read is audited."""
    from libdesk.audit.actors import Actor
    from libdesk.library.mail import sends_mail

    require(staff.role, "patron.contact", "read", Context.CALL_LIST)
    today = clock.today()
    overdue = Loan.objects.filter(state=LoanState.OPEN, due__lt=today)
    ready = Hold.objects.filter(status=HoldStatus.READY)
    # With a mail server, those without e-mail and those who asked for a phone call; a
    # patron who asked for no hold notice is not called about a hold.
    mail = sends_mail()
    call_overdue = Q(email="") | Q(notices_overdue=NoticeChannel.PHONE) if mail else Q()
    call_ready = Q(email="") | Q(notices_hold_ready=NoticeChannel.PHONE) if mail else Q()
    call_ready &= ~Q(notices_hold_ready=NoticeChannel.NONE)
    patrons = (
        Patron.objects.filter(
            (call_overdue & Q(pk__in=overdue.values("patron_id")))
            | (call_ready & Q(pk__in=ready.values("patron_id")))
        )
        .annotate(
            overdue=_count_of(overdue.filter(patron=OuterRef("pk"))),
            ready=_count_of(ready.filter(patron=OuterRef("pk"))),
        )
        .select_related("home_branch")
    )
    entries = []
    actor = Actor.staff(staff, workstation)
    for patron in patrons:
        audit.record(
            actor,
            "patron.read",
            object_type="call_list",
            patron_id=patron.pk,
            data_kind="contact",
            reason="call_list_notice",
        )
        entries.append(CallListEntry(patron, patron.overdue, patron.ready))
    return entries


def _count_of(rows: QuerySet) -> Subquery:
    """How many rows a correlated query finds, as a column of the outer query."""
    counted = rows.order_by().values("patron_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)
