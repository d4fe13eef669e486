"""Bar charts as server-rendered SVG, for the board's figures: no script, nothing fetched
from elsewhere, readable by a screen reader (role="img" named by its <title>; each bar
carries its own label and figure), and the same numbers always sit in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BARS = 350  # room for the longest bar
ROW = 28  # height of one bar and its gap
LABEL_MIN, LABEL_MAX = 120, 380  # room on the left for the bars' labels
CHAR = 7.5  # the width of an average character at font-size 14
FIGURE = 70  # room on the right for its figure
_ids = count(1)


def bar_chart(title: str, bars: Sequence[tuple[str, float | int]]) -> SafeString:
    """One horizontal bar per (label, figure), the longest for the largest figure."""
    chart_id = f"chart-{next(_ids)}"
    top = max((value for _, value in bars), default=0) or 1
    longest = max((len(str(label)) for label, _ in bars), default=0)
    label_room = round(min(max(longest * CHAR + 16, LABEL_MIN), LABEL_MAX))
    room = BARS
    width = label_room + BARS + FIGURE
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
                label_room - 8,
                y + 17,
                label,
                label_room,
                y + 4,
                length,
                ROW - 8,
                value,
                label_room + length + 6,
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
        width,
        height,
        width,
        height,
        chart_id,
        title,
        format_html_join("", "{}", ((r,) for r in rows)),
    )
