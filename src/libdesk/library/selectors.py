"""Public reads about the library: branches, hours, whether a branch is open now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import get_language

from libdesk.core import clock
from libdesk.core.statements import Select
from libdesk.library.models import Branch, ClosedDay, Library, OpeningHours, ShelfLocation

# Every page names the library: read on a compiled statement (core/statements.py).
THE_LIBRARY = Select(lambda: Library.objects.order_by("pk")[:1])


def the_library() -> Library | None:
    return THE_LIBRARY.first()


def branch_name_of(code_field: str) -> Subquery:
    """The name of the branch whose code a row keeps in `code_field`, for an annotation: the
    audit log and desk notes keep a branch's code (no foreign key, so that no branch change
    touches them), but a patron reading them is told the branch's name."""
    return Subquery(Branch.objects.filter(code=OuterRef(code_field)).values("name")[:1])


def branches_with_hours() -> QuerySet[Branch]:
    return Branch.objects.prefetch_related(
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def upcoming_closures(days: int = 60) -> list[ClosedDay]:
    today = clock.today()
    return list(
        ClosedDay.objects.filter(date__gte=today, date__lte=today + timedelta(days=days))
        .select_related("branch")
        .order_by("date")
    )


@dataclass(frozen=True)
class OpenStatus:
    open_now: bool
    until: time | None  # closing time today when open
    closed_today_for: str | None  # the closure's name when closed for a holiday


def open_status(branch: Branch, moment: datetime | None = None) -> OpenStatus:
    """Whether `branch` is open at `moment` (default now), in the library's time zone."""
    local = (moment or clock.now()).astimezone(clock.library_zone())
    closure = _closure_on(branch, local.date())
    if closure is not None:
        return OpenStatus(False, None, closure.title(get_language() or "en"))
    for period in branch.hours.all():
        if period.weekday == local.weekday() and period.opens <= local.time() < period.closes:
            return OpenStatus(True, period.closes, None)
    return OpenStatus(False, None, None)


def is_open_on(branch: Branch, day: date) -> bool:
    """Whether the branch opens at all on `day`: hours that weekday and no closure."""
    has_hours = any(period.weekday == day.weekday() for period in branch.hours.all())
    return has_hours and _closure_on(branch, day) is None


OPEN_WEEKDAYS = Select(
    lambda branch: OpeningHours.objects.filter(branch_id=branch).values_list("weekday"),
    branch=int,
)
CLOSED_DAYS = Select(
    lambda branch, start, end: (
        ClosedDay.objects.filter(Q(branch_id=branch) | Q(branch__isnull=True))
        .filter(date__gte=start, date__lte=end)
        .order_by()
        .values_list("date")
    ),
    branch=int,
    start=date,
    end=date,
)


def next_open_day(branch: Branch, day: date) -> date:
    """`day` itself if the branch opens then, else the next day it does: where a due date
    that falls on a closed day moves to. Two queries, however long the closure."""
    weekdays = {row[0] for row in OPEN_WEEKDAYS.all(branch=branch.pk)}
    end = day + timedelta(days=366)
    closed = {row[0] for row in CLOSED_DAYS.all(branch=branch.pk, start=day, end=end)}
    for offset in range(366):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() in weekdays and candidate not in closed:
            return candidate
    raise ValueError(f"{branch.code} has no open day in the year after {day}")


def _closure_on(branch: Branch, day: date) -> ClosedDay | None:
    return ClosedDay.objects.filter(Q(branch=branch) | Q(branch__isnull=True), date=day).first()


def shelf_location_names(language: str) -> dict[str, str]:
    """Each shelf location's name for pages in `language`, by the name items carry: the French
    names on record for French pages, nothing to change otherwise. Pages show a location
    through this map and fall back to the stored text (`{{ names|get_item:item.location }}`)."""
    if not language.startswith("fr"):
        return {}
    return dict(ShelfLocation.objects.exclude(name_fr="").values_list("name", "name_fr"))
