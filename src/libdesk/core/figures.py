"""A group of the board's figures, shown three ways from one description: a bar chart (one bar
per charted figure, core/charts.py), a table with the same numbers, and rows of a CSV file.
Labels are already words in the reader's language; dates in the CSV are ISO 8601."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from libdesk.core.charts import bar_chart

Number = int | float | None


@dataclass(frozen=True)
class FigureRow:
    """One line of a table: its label, one figure per column, and (when the line covers less
    than the report's period, a month say) its own first and last day for the CSV."""

    label: str
    values: Sequence[Number]
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class FigureGroup:
    """A table of figures under a title: `heading` names the label column, `columns` the
    figure columns; the chart draws the columns listed in `charted` (those in one unit).
    `notes` are figures of another kind about the same thing (an average beside counts):
    shown under the table and written to the CSV, not drawn."""

    title: str
    heading: str
    columns: Sequence[str]
    rows: Sequence[FigureRow]
    charted: Sequence[int] = field(default=(0,))
    notes: Sequence[tuple[str, Number]] = ()

    def bars(self) -> list[tuple[str, Number]]:
        """One bar per charted figure; a figure not known yet (a median of nothing) is 0."""
        several = len(self.charted) > 1
        return [
            (f"{row.label}: {self.columns[c]}" if several else row.label, row.values[c] or 0)
            for row in self.rows
            for c in self.charted
        ]

    def chart(self) -> SafeString:
        return bar_chart(self.title, self.bars())

    def csv_rows(self, start: date | None, end: date | None) -> list[list[str]]:
        """A CSV row per figure: the group, the period, what is measured, the value."""
        several = len(self.columns) > 1
        rows = []
        for row in self.rows:
            first, last = row.start or start, row.end or end
            for column, value in zip(self.columns, row.values, strict=True):
                rows.append(
                    [
                        self.title,
                        first.isoformat() if first else "",
                        last.isoformat() if last else "",
                        f"{row.label}: {column}" if several else row.label,
                        cell(value),
                    ]
                )
        period = [start.isoformat() if start else "", end.isoformat() if end else ""]
        rows.extend([self.title, *period, label, cell(value)] for label, value in self.notes)
        return rows


def csv_header() -> list[str]:
    return [_("Figure"), _("From"), _("To"), _("Measure"), _("Value")]


def csv_table(
    groups: Sequence[FigureGroup], start: date | None, end: date | None
) -> list[list[str]]:
    """The header and every group's rows, in the order the page shows them."""
    return [csv_header(), *(row for group in groups for row in group.csv_rows(start, end))]


def cell(value: Number) -> str:
    """A figure as a spreadsheet reads it: digits and a point, nothing for a missing one."""
    return "" if value is None else str(value)
