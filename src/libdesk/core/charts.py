"""Bar charts as server-rendered SVG, for the board's figures: no script, nothing fetched
from elsewhere, readable by a screen reader (role="img" named by its <title>; each bar
carries its own label and figure), and the same numbers always sit in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
ROW = 28  # height of one bar and its gap
LABEL = 220  # room on the left for the bar's label
FIGURE = 70  # room on the right for its figure
_ids = count(1)


def bar_chart(title: str, bars: Sequence[tuple[str, float | int]]) -> SafeString:
    """One horizontal bar per (label, figure), the longest for the largest figure."""
    chart_id = f"chart-{next(_ids)}"
    top = max((value for _, value in bars), default=0) or 1
    room = WIDTH - LABEL - FIGURE
    rows = []
    for index, (label, value) in enumerate(bars):
        y = 4 + index * ROW
        length = round(room * value / top, 1) if value > 0 else 0
        shown = number_format(value, force_grouping=True)
        rows.append(
            format_html(
                '<g class="bar"><title>{}: {}</title>'
                '<text x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" data-value="{}"></rect>'
                '<text x="{}" y="{}">{}</text></g>',
                label,
                shown,
                LABEL - 8,
                y + 17,
                label,
                LABEL,
                y + 4,
                length,
                ROW - 8,
                value,
                LABEL + length + 6,
                y + 17,
                shown,
            )
        )
    height = max(len(bars), 1) * ROW + 8
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="{}" viewBox="0 0 {} {}" width="{}" height="{}" font-size="14">'
        '<title id="{}">{}</title>{}</svg>',
        chart_id,
        WIDTH,
        height,
        WIDTH,
        height,
        chart_id,
        title,
        format_html_join("", "{}", ((r,) for r in rows)),
    )
