"""The board's figures, computed only from tables that carry no patron: daily counts, wait
figures and overrides. They show whether requests are met "in a timely manner" and with
"equal importance"."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum

from libdesk.circulation.models import CirculationCount, Override, WaitFigure


@dataclass(frozen=True)
class WaitSummary:
    kind: str
    count: int
    median_days: float | None
    p90_days: float | None


def activity(start: date, end: date) -> list[dict]:
    """Checkouts, check-ins and renewals per branch, material type and day."""
    return list(
        CirculationCount.objects.filter(day__gte=start, day__lte=end)
        .values("day", "branch__code", "material_type", "event")
        .annotate(total=Sum("count"))
        .order_by("day", "branch__code", "material_type", "event")
    )


def totals(start: date, end: date) -> dict[str, int]:
    rows = (
        CirculationCount.objects.filter(day__gte=start, day__lte=end)
        .values("event")
        .annotate(total=Sum("count"))
    )
    return {row["event"]: row["total"] for row in rows}


def waits(start: date, end: date) -> list[WaitSummary]:
    """Median and 90th percentile of how long holds, interlibrary loans and purchase
    suggestions waited before they were met, in days."""
    summaries = []
    for kind in ("hold", "ill", "purchase"):
        hours = sorted(
            WaitFigure.objects.filter(kind=kind, day__gte=start, day__lte=end).values_list(
                "hours", flat=True
            )
        )
        summaries.append(
            WaitSummary(
                kind,
                len(hours),
                round(statistics.median(hours) / 24, 1) if hours else None,
                round(_percentile(hours, 0.9) / 24, 1) if hours else None,
            )
        )
    return summaries


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of all at or below."""
    rank = max(1, -(-int(fraction * len(sorted_values) * 1000) // 1000))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def overrides(start: date, end: date) -> list[dict]:
    return list(
        Override.objects.filter(at__date__gte=start, at__date__lte=end)
        .values("kind", "reason")
        .annotate(total=Count("pk"))
        .order_by("kind", "reason")
    )
