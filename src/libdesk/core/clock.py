"""The one source of "now" in libdesk.

Due dates, lockouts, retention periods and policy reviews all read the time from here, so a
test can move time with `travel_to` instead of patching datetime in many places.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, timezone-aware (UTC)."""
    return _frozen if _frozen is not None else timezone.now()


def local_now() -> datetime:
    """The current moment in the library's own time zone."""
    return now().astimezone(library_zone())


def today() -> date:
    """Today's date where the library is, which is what due dates and reviews count in."""
    return local_now().date()


def local_date(moment: datetime) -> date:
    """The library's date at `moment` (a kiosk's offline transaction, replayed later)."""
    return moment.astimezone(library_zone()).date()


def library_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@contextmanager
def travel_to(moment: datetime | date) -> Iterator[None]:
    """Freeze the clock at `moment` (a date means noon, library time) for the block."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 12, tzinfo=library_zone())
    if timezone.is_naive(moment):
        raise ValueError("travel_to needs a timezone-aware datetime")
    # Kept in UTC, as now() promises: what is signed (the audit chain) must read the same
    # once the database hands it back in UTC.
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward; only meaningful inside `travel_to`."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock (use travel_to)")
    _frozen = _frozen + delta
