"""What to offer when a request cannot be met now (clause timely-or-alternatives), in the
order the policy gives and only what applies: another copy here or at another branch, another
edition or format available now, a hold with its place and wait, interlibrary loan, and a
purchase suggestion for what the library does not hold at all. When only staff can help (more
time on a loan), the offer is to ask at a desk."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from libdesk.catalog.models import Item, ItemStatus, Record
from libdesk.circulation.models import QUEUED_HOLD, Hold, HoldStatus
from libdesk.circulation.rules import terms
from libdesk.circulation.services.queue import HOLDABLE, estimate, same_target
from libdesk.core import clock
from libdesk.core.dates import long_date
from libdesk.core.decisions import Alternative, AlternativeKind
from libdesk.library.models import Branch
from libdesk.library.selectors import next_open_day


def alternatives_for(
    record: Record,
    patron=None,
    branch: Branch | None = None,
    *,
    exclude: Item | None = None,
    hold: bool = True,
) -> tuple[Alternative, ...]:
    """Everything on offer for `record`, for a patron at `branch` (without a hold when the
    patron is already in line for it)."""
    offers = _on_shelf(record, branch, exclude) + _other_editions(record)
    holdable = Item.objects.filter(record=record, status__in=HOLDABLE).exists()
    if holdable and hold:
        offers.append(_hold(record, branch))
    offers += request_alternatives(record, holdable=holdable)
    return tuple(offers)


def renewal_alternatives(item: Item, branch: Branch | None) -> tuple[Alternative, ...]:
    """For a loan out of renewals: staff may give more time for a reason, and another copy or
    edition on the shelf now can be borrowed afresh once this one is back."""
    ask = _("Ask staff at a desk for more time: they can extend a loan when there is a reason.")
    offers = [Alternative(AlternativeKind.REFERRAL, ask)]
    offers += _on_shelf(item.record, branch, item) + _other_editions(item.record)
    return tuple(offers)


def _on_shelf(record: Record, branch: Branch | None, exclude: Item | None) -> list[Alternative]:
    """Another copy on the shelf here, else at another branch (sent here on a hold)."""
    on_shelf = Item.objects.filter(record=record, status=ItemStatus.AVAILABLE).select_related(
        "branch"
    )
    if exclude is not None:
        on_shelf = on_shelf.exclude(pk=exclude.pk)
    here = [i for i in on_shelf if branch is not None and i.branch_id == branch.pk]
    if here:
        return [_other_copy(here[0])]
    if on_shelf:
        return [_other_branch(record, on_shelf[0], branch)]
    return []


def _other_copy(item: Item) -> Alternative:
    return Alternative(
        AlternativeKind.OTHER_COPY,
        _("Another copy is on the shelf here (call number %(call)s).")
        % {"call": item.call_number or "—"},
        {"item_barcode": item.barcode, "branch": item.branch.code},
    )


def _other_branch(record: Record, item: Item, pickup: Branch | None) -> Alternative:
    arrival = clock.today() + timedelta(days=terms().transit_days)
    if pickup is not None:
        arrival = next_open_day(pickup, arrival)
    return Alternative(
        AlternativeKind.OTHER_BRANCH,
        _(
            "A copy is on the shelf at %(branch)s: place a hold and it is sent here, arriving "
            "about %(arrival)s."
        )
        % {"branch": item.branch.name, "arrival": long_date(arrival)},
        {
            "branch": item.branch.code,
            "record_id": record.pk,
            "expected_arrival": arrival.isoformat(),
        },
    )


def _other_editions(record: Record) -> list[Alternative]:
    # EXISTS rather than a join + DISTINCT: the work's few records are found by their index
    # and each probed for one copy on the shelf, instead of every available item being
    # joined to its record (and the MARC blob compared for DISTINCT) on a large catalogue.
    on_shelf = Item.objects.filter(record_id=OuterRef("pk"), status=ItemStatus.AVAILABLE)
    others = (
        Record.objects.filter(work_id=record.work_id)
        .exclude(pk=record.pk)
        .filter(Exists(on_shelf))
        .only("pk", "title", "material_type", "year")
        .order_by("-year", "pk")[:3]
    )
    return [
        Alternative(
            AlternativeKind.OTHER_FORMAT,
            _("Available now in another edition or format: %(title)s (%(what)s%(year)s).")
            % {
                "title": other.title,
                "what": other.get_material_type_display(),
                "year": f", {other.year}" if other.year else "",
            },
            {"record_id": other.pk, "material_type": other.material_type},
        )
        for other in others
    ]


def _hold(record: Record, branch: Branch | None) -> Alternative:
    probe = Hold(record=record, status=HoldStatus.WAITING, placed_at=clock.now())
    position = Hold.objects.filter(status__in=QUEUED_HOLD).filter(same_target(probe)).count() + 1
    wait = estimate(probe, position)
    label = (
        _("Place a hold: you would be number %(n)s in line; the wait: %(wait)s.")
        % {"n": position, "wait": wait.words}
        if wait is not None
        else _("Place a hold: you would be number %(n)s in line.") % {"n": position}
    )
    return Alternative(
        AlternativeKind.HOLD,
        label,
        {
            "record_id": record.pk,
            "position": position,
            "estimated_wait_days": wait.days if wait is not None else None,
        },
    )


def request_alternatives(record: Record | None, *, holdable: bool = False) -> tuple:
    """Interlibrary loan always; a purchase suggestion when the library has no copy to lend."""
    offers = [
        Alternative(
            AlternativeKind.ILL,
            _("Ask for it through interlibrary loan from another library."),
            {"kind": "ill", "record_id": record.pk if record else None},
        )
    ]
    if not holdable:
        offers.append(
            Alternative(
                AlternativeKind.PURCHASE,
                _("Suggest that the library buy a copy."),
                {"kind": "purchase", "record_id": record.pk if record else None},
            )
        )
    return tuple(offers)
