"""The board's raw figures, written as things happen: counts and waits with no patron in them."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F

from libdesk.circulation.models import CirculationCount, WaitFigure
from libdesk.core import clock
from libdesk.core.statements import Insert, Update

ADD_ONE = Update(
    lambda day, branch, material_type, patron_category, event: (
        CirculationCount.objects.filter(
            day=day,
            branch_id=branch,
            material_type=material_type,
            patron_category=patron_category,
            event=event,
        ),
        {"count": F("count") + 1},
    ),
    day=date,
    branch=int,
    material_type=str,
    patron_category=str,
    event=str,
)


NEW_WAIT = Insert(WaitFigure, kind=str, branch_id=int, day=date, hours=float)


def count(event: str, branch, material_type: str, patron_category: str) -> None:
    """Add one to today's count for these non-identifying dimensions."""
    key = {
        "day": clock.today(),
        "branch": branch,
        "material_type": material_type,
        "patron_category": patron_category,
        "event": event,
    }
    updated = ADD_ONE.run(
        day=key["day"],
        branch=branch.pk,
        material_type=material_type,
        patron_category=patron_category,
        event=event,
    )
    if not updated:
        CirculationCount.objects.create(**key, count=1)


def wait(kind: str, branch, since: datetime) -> None:
    """How long a request waited before it was met."""
    hours = (clock.now() - since).total_seconds() / 3600
    NEW_WAIT.run(kind=kind, branch_id=branch.pk, day=clock.today(), hours=hours)
