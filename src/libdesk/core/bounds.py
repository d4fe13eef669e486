"""Bounded input: the ranges every door declares for what a caller may send.

A number, a string, a date or a list that comes from outside has a range, so that a request
answers 422 (API) or a form error (web) naming the field instead of a 500, and no request
costs work in proportion to a value it chose (a page number of 10^18, a 40 KB query). The
API's schemas use these types, the web's URLs the `id` and `segment` path converters; a test
walks the OpenAPI description and fails on any parameter or body field without a bound.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import register_converter
from pydantic import AfterValidator, Field

# The largest primary key the database holds (BigAutoField: a signed 64-bit integer).
ID_MAX = 2**63 - 1
ID_DIGITS = len(str(ID_MAX))  # 19

# Deep paging is capped as search engines cap it (Elasticsearch's index.max_result_window):
# no request may reach past this many results, whatever its page size.
MAX_RESULT_WINDOW = 10_000
PAGE_SIZE_MAX = 100

# The search box: characters, and words (each word is a query over every text field).
SEARCH_TEXT_MAX = 300
SEARCH_TERMS_MAX = 32
# Words ending in * (each a regular-expression walk of the term dictionary of every text
# field): on 250,000 records 32 of them cost ~150 ms, 4 cost under ~60 ms.
SEARCH_PREFIXES_MAX = 4

SHORT_TEXT_MAX = 200  # titles, names, codes typed by a person
LONG_TEXT_MAX = 4000  # notes, questions, answers
CODE_MAX = 40  # branch codes, policy numbers, clause ids, kinds
CARD_MAX = 20  # library card numbers
BARCODE_MAX = 40  # item barcodes, ISBNs
SECRET_MAX = 128  # PINs, passwords, keys
LIST_MAX = 20

# Dates a library deals in: birth dates, due dates, review dates, suspensions.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
YEAR_MIN, YEAR_MAX = 0, 9999
DAYS_MAX = 3660  # ten years of days: report periods, review horizons

Id = Annotated[int, Field(ge=1, le=ID_MAX, description="an id (1 to 2^63-1)")]
PageNumber = Annotated[int, Field(ge=1, le=MAX_RESULT_WINDOW, description="page number, from 1")]
PageSize = Annotated[int, Field(ge=1, le=PAGE_SIZE_MAX, description="results per page")]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
Days = Annotated[int, Field(ge=0, le=DAYS_MAX, description="a number of days")]
Count = Annotated[int, Field(ge=0, le=1_000_000)]

SearchText = Annotated[str, Field(max_length=SEARCH_TEXT_MAX)]
ShortText = Annotated[str, Field(max_length=SHORT_TEXT_MAX)]
LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX)]
Code = Annotated[str, Field(max_length=CODE_MAX)]
CardNumber = Annotated[str, Field(max_length=CARD_MAX)]
Barcode = Annotated[str, Field(max_length=BARCODE_MAX)]
Secret = Annotated[str, Field(max_length=SECRET_MAX)]


def _date_in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(f"must be between {DATE_MIN} and {DATE_MAX}")
    return value


_DATE_RANGE = f"between {DATE_MIN} and {DATE_MAX}"
SaneDate = Annotated[date, AfterValidator(_date_in_range), Field(description=_DATE_RANGE)]
SaneDateTime = Annotated[datetime, AfterValidator(_date_in_range), Field(description=_DATE_RANGE)]

T = TypeVar("T")
ShortList = Annotated[list[T], Field(max_length=LIST_MAX)]  # ShortList[Code], ...


def parse_id(value: object) -> int | None:
    """An id a door received as text (a form's hidden field, a query parameter): ASCII digits
    naming 1 to ID_MAX, else None. `str.isdigit()` is not enough: it takes "²" and "١٢",
    which `int()` then refuses or reads, and thousands of digits `int()` will not convert."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit() and len(text) <= ID_DIGITS):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


# Django form fields that take a date get these, so a year 9999 is a form error naming the
# field, not an overflow when the date becomes a datetime.
DATE_VALIDATORS = [MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)]


class IdConverter:
    """`<id:name>` in a URL: digits only, at most ID_MAX, so a huge or negative id is a 404
    (no route), never an overflow in the database driver."""

    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(f"{value} is not an id")  # Django reads this as "no match"
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


class SegmentConverter:
    """`<segment:name>` in a URL: one path segment of at most CODE_MAX * 2 characters (policy
    numbers, private keys), where Django's `str` takes any length."""

    regex = f"[^/]{{1,{CODE_MAX * 2}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(IdConverter, "id")
register_converter(SegmentConverter, "segment")
