"""Figures as a CSV file a spreadsheet opens: UTF-8, one header row, offered as a download."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def csv_response(filename: str, rows: Iterable[Sequence[str]]) -> HttpResponse:
    """An attachment named `filename` holding `rows` (the first being the header)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(rows)
    return response
