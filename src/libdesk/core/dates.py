"""Dates in words, in the active language's long form, for text built in Python (a decision's
reason, an alternative's label) as pages show them: "21 December 2026", "21 décembre 2026",
and French's "1er" for the first of a month ("1er janvier 2027"). The formats come from
libdesk.formats (FORMAT_MODULE_PATH); the template `date` filter uses the same rule. JSON
fields, CSV files and other machine-readable values keep ISO 8601."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language

# A "j" (day of the month without a leading zero) that is not escaped with a backslash.
DAY = re.compile(r"(?<!\\)j")


def first_of_month(value, format_string: str) -> str:
    r"""The format string with "1er" for the day when it is French and the first of a month."""
    when = timezone.template_localtime(value) if hasattr(value, "hour") else value
    language = (get_language() or "").split("-")[0]
    if language != "fr" or getattr(when, "day", None) != 1:
        return format_string
    return DAY.sub(r"j\\e\\r", format_string)


def long_date(value: date) -> str:
    """A date (or a moment, with its time, in the library's zone) in the active language."""
    if isinstance(value, datetime):
        when = timezone.localtime(value) if timezone.is_aware(value) else value
        return dateformat.format(when, first_of_month(when, formats.get_format("DATETIME_FORMAT")))
    return dateformat.format(value, first_of_month(value, formats.get_format("DATE_FORMAT")))
