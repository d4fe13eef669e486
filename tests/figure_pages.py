"""Reading the board's figure pages as a person and a spreadsheet would: the charts (SVG
parsed as XML), a table's rows by its caption, the text a reader sees, a CSV download."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from defusedxml import ElementTree
from django.utils.html import escape

SVG = "{http://www.w3.org/2000/svg}"


def charts(page: str) -> list:
    return [ElementTree.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", page, re.S)]


def chart_titled(page: str, title: str):
    """The chart named `title` (its role="img" and the <title> naming it checked)."""
    for chart in charts(page):
        name = chart.find(f"{SVG}title")
        if name is not None and name.text == title:
            assert chart.get("role") == "img" and chart.get("aria-labelledby") == name.get("id")
            return chart
    raise AssertionError(f"no chart titled {title!r}")


def bars(chart) -> list[tuple[str, str]]:
    """Each bar's own title ("label: figure") and the figure it draws."""
    return [
        (bar.find(f"{SVG}title").text, bar.find(f"{SVG}rect").get("data-value"))
        for bar in chart.findall(f"{SVG}g")
    ]


def table_rows(page: str, caption: str) -> list[list[str]]:
    table = page.split(f"<caption>{escape(caption)}</caption>")[1].split("</table>")[0]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    ]


def visible_text(page: str) -> str:
    main = page.split('<main id="main"')[1].split("</main>")[0]
    main = re.sub(r"<(svg|form).*?</\1>", " ", main, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", main))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))
