"""What libdesk derives from a MARC record for display, grouping and search.

The MARC record stays the source of truth; these values are recomputed whenever it changes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields

import pymarc

TRAILING = " /:;,=.]["
YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
AUDIENCE = {
    "a": "preschool",
    "b": "children",
    "c": "children",
    "d": "teen",
    "j": "children",
    "e": "adult",
    "f": "adult",
    "g": "general",
}


@dataclass
class Derived:
    title: str
    subtitle: str = ""
    responsibility: str = ""
    authors: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    lccn: str = ""
    publisher: str = ""
    year: int | None = None
    language: str = ""
    audience: str = ""
    material_type: str = "book"
    notes: str = ""
    work_key: str = ""


# The Derived values a Record stores in columns of the same names (the work key becomes the
# record's work instead).
STORED = tuple(f.name for f in fields(Derived) if f.name != "work_key")


def fold(text: str) -> str:
    """Decompose, drop combining marks, casefold: "Müller", "müller", "Muller" all agree.

    The Library of Congress stores accents decomposed, which tantivy's own folding misses,
    so libdesk folds in Python at index and at query time alike.
    """
    if text.isascii():  # most catalogue text: nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip().rstrip(TRAILING).strip())


def derive(record: pymarc.Record) -> Derived:
    title_field = record.get("245")
    derived = Derived(
        title=clean(" ".join(title_field.get_subfields("a", "n", "p"))) or "[untitled]",
        subtitle=clean(" ".join(title_field.get_subfields("b"))),
        responsibility=clean(" ".join(title_field.get_subfields("c"))),
        authors=_authors(record),
        subjects=_unique(
            clean(" -- ".join(f.get_subfields("a", "b", "x", "y", "z", "v")))
            for f in record.get_fields("600", "610", "611", "630", "650", "651")
        ),
        series=_unique(
            clean(f.get("a")) for f in record.get_fields("490", "800", "810", "830") if f.get("a")
        ),
        isbns=_unique(isbn13(v) for f in record.get_fields("020") for v in f.get_subfields("a")),
        issns=_unique(clean(v) for f in record.get_fields("022") for v in f.get_subfields("a")),
        lccn=normalise_lccn(record.get("010").get("a"))
        if record.get("010") and record.get("010").get("a")
        else "",
        publisher=_publisher(record),
        year=_year(record),
        language=_fixed(record, 35, 38),
        audience=AUDIENCE.get(_fixed(record, 22, 23), ""),
        material_type=material_type(record),
        notes=" ".join(clean(f.format_field()) for f in record.get_fields("500", "505", "520")),
    )
    derived.work_key = work_key(record, derived)
    return derived


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def _authors(record: pymarc.Record) -> list[str]:
    names = []
    for f in record.get_fields("100", "110", "111", "700", "710", "711"):
        names.append(clean(" ".join(f.get_subfields("a", "b", "c", "d", "q"))))
    return _unique(names)


def _publisher(record: pymarc.Record) -> str:
    for f in record.get_fields("264", "260"):
        if (f.tag == "260" or f.indicator2 == "1") and f.get("b"):
            return clean(f.get("b"))
    return ""


def _fixed(record: pymarc.Record, start: int, end: int) -> str:
    field_008 = record.get("008")
    data = field_008.data if field_008 is not None else ""
    value = data[start:end].strip() if len(data) >= end else ""
    return value if value and value not in {"|||", "|", "zxx", "und"} else ""


def _year(record: pymarc.Record) -> int | None:
    date1 = _fixed(record, 7, 11)
    if date1.isdigit():
        return int(date1)
    for f in record.get_fields("264", "260"):
        if f.get("c") and (match := YEAR.search(f.get("c"))):
            return int(match.group(1))
    return None


def material_type(record: pymarc.Record) -> str:
    """Book, large print, e-book, audiobook, DVD... from leader, 007, 008 and 33X."""
    kind, level = record.leader[6], record.leader[7]
    form = _fixed(record, 23, 24)
    carriers = {v for f in record.get_fields("338") for v in f.get_subfields("a")}
    first_007 = record.get("007").data[:1] if record.get("007") else ""
    if kind in "at":
        if level in "bis" and kind == "a":
            return "magazine"
        if form == "d" or "large print" in " ".join(carriers).lower():
            return "large_print"
        if form in ("o", "s", "q") or first_007 == "c" or "online resource" in carriers:
            return "ebook"
        return "book"
    return {
        "i": "audiobook",
        "j": "music",
        "c": "score",
        "d": "score",
        "g": "dvd",
        "e": "map",
        "f": "map",
        "o": "game",
        "r": "game",
        "m": "other",
    }.get(kind, "other")


def isbn13(value: str) -> str:
    """An ISBN-10 or -13 as 13 digits, or '' when it is not a valid ISBN."""
    digits = re.sub(r"[^0-9Xx]", "", (value or "").split(" ")[0]).upper()
    if len(digits) == 10 and digits[:9].isdigit():
        if _isbn10_check(digits[:9]) != digits[9]:
            return ""
        digits = "978" + digits[:9]
        return digits + _isbn13_check(digits)
    if len(digits) == 13 and digits.isdigit() and _isbn13_check(digits[:12]) == digits[12]:
        return digits
    return ""


def _isbn10_check(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check(first12: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalise_lccn(value: str) -> str:
    """LC's normalisation: no spaces, no prefix hyphen padding issues, e.g. '00011457'."""
    value = value.strip().split("/")[0].replace(" ", "")
    if "-" in value:
        prefix, _, serial = value.partition("-")
        value = prefix + serial.zfill(6)
    return value.lower()


def work_key(record: pymarc.Record, derived: Derived) -> str:
    """Normalised title (without leading article) + main author surname."""
    title_field = record.get("245")
    skip = int(title_field.indicator2) if title_field.indicator2.isdigit() else 0
    title = (title_field.get("a") or derived.title)[skip:]
    main = record.get("100") or record.get("110") or record.get("111")
    author = main.get("a") if main and main.get("a") else ""
    return f"{_key_text(title)}/{_key_text(author.split(',')[0])}"[:255]


def _key_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())
