"""The board's figures, computed only from tables that carry no patron: daily counts, wait
figures and overrides. They show whether requests are met "in a timely manner" and with
"equal importance"."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libdesk.catalog.models import MaterialType
from libdesk.circulation.models import (
    CirculationCount,
    Override,
    OverrideKind,
    OverrideReason,
    RequestKind,
    WaitFigure,
)
from libdesk.core.figures import cell
from libdesk.library.models import Branch

# Words for the codes the counting tables store, in the reader's language.
EVENTS = {
    "checkout": gettext_lazy("Checkouts"),
    "checkin": gettext_lazy("Returns"),
    "renewal": gettext_lazy("Renewals"),
}
WAIT_KINDS = {
    "hold": gettext_lazy("Holds"),
    "ill": RequestKind.ILL.label,
    "purchase": RequestKind.PURCHASE.label,
}


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


def _word(choices, code: str) -> str:
    """The label of a stored code; a code no longer offered reads as "Other"."""
    return str(choices(code).label) if code in choices.values else _("Other")


@dataclass(frozen=True)
class BoardReport:
    """The board's figures for a period, every code already turned into words."""

    start: date
    end: date
    totals: list[tuple[str, str, int]]  # (event code, its words, count)
    waits: list[tuple[str, WaitSummary]]
    overrides: list[tuple[str, str, int]]
    activity: list[tuple[date, str, str, str, int]]


def board_report(start: date, end: date) -> BoardReport:
    found = totals(start, end)
    branches = dict(Branch.objects.values_list("code", "name"))
    return BoardReport(
        start,
        end,
        totals=[(event, str(label), found.get(event) or 0) for event, label in EVENTS.items()],
        waits=[(str(WAIT_KINDS[w.kind]), w) for w in waits(start, end)],
        overrides=[
            (_word(OverrideKind, o["kind"]), _word(OverrideReason, o["reason"]), o["total"])
            for o in overrides(start, end)
        ],
        activity=[
            (
                row["day"],
                branches.get(row["branch__code"], row["branch__code"]),
                _word(MaterialType, row["material_type"]),
                str(EVENTS.get(row["event"], _("Other"))),
                row["total"],
            )
            for row in activity(start, end)
        ],
    )


def csv_rows(report: BoardReport) -> list[list[str]]:
    """The page's figures as rows under one header, words for codes, dates in ISO 8601."""
    period = (report.start.isoformat(), report.end.isoformat())
    rows = [[_("Figure"), _("From"), _("To"), _("Branch"), _("Material"), _("Measure"), _("Value")]]
    for _event, label, total in report.totals:
        rows.append([_("Totals"), *period, "", "", label, str(total)])
    for label, wait in report.waits:
        for measure, value in (
            (_("Met"), wait.count),
            (_("Median, in days"), wait.median_days),
            (_("90th percentile, in days"), wait.p90_days),
        ):
            rows.append(
                [
                    _("How long requests waited"),
                    *period,
                    "",
                    "",
                    f"{label}: {measure}",
                    cell(value),
                ]
            )
    for kind, reason, total in report.overrides:
        rows.append([_("Overrides"), *period, "", "", f"{kind}: {reason}", str(total)])
    for day, branch, material, event, total in report.activity:
        iso = day.isoformat()
        rows.append([_("Daily activity"), iso, iso, branch, material, event, str(total)])
    return rows
