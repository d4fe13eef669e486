"""Build small MARC21 records and files for tests, the way a cataloguing system writes them."""

from __future__ import annotations

import gzip
import lzma
from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield


def book(
    control: str,
    title: str,
    *,
    author: str = "Tester, Tina",
    isbn: str = "",
    subtitle: str = "",
    year: int = 2001,
    lccn: str = "",
    source: str = "DLC",
    subjects: tuple[str, ...] = ("Testing",),
    lang: str = "eng",
    form: str = " ",
) -> Record:
    record = Record(force_utf8=True)
    record.leader[5], record.leader[6], record.leader[7], record.leader[9] = "n", "a", "m", "a"
    if control:
        record.add_field(Field(tag="001", data=control))
    if source:
        record.add_field(Field(tag="003", data=source))
    fixed = f"000101s{year}    xxu" + " " * 5 + form + " " * 11 + f"{lang} d"
    record.add_field(Field(tag="008", data=fixed[:40].ljust(40)))
    if lccn:
        record.add_field(
            Field(tag="010", indicators=Indicators(" ", " "), subfields=[Subfield("a", lccn)])
        )
    if isbn:
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
    record.add_field(
        Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)])
    )
    title_subfields = [Subfield("a", title + (" :" if subtitle else "."))]
    if subtitle:
        title_subfields.append(Subfield("b", subtitle + "."))
    record.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=title_subfields))
    record.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[Subfield("b", "Test Press,"), Subfield("c", str(year))],
        )
    )
    for subject in subjects:
        record.add_field(
            Field(tag="650", indicators=Indicators(" ", "0"), subfields=[Subfield("a", subject)])
        )
    return record


def raw(record: Record) -> bytes:
    return record.as_marc()


def write(path: Path, records: list[bytes], compress: str = "") -> Path:
    data = b"".join(records)
    if compress == "gz":
        data = gzip.compress(data)
    elif compress == "xz":
        data = lzma.compress(data)
    path.write_bytes(data)
    return path


def replace_leader(data: bytes, position: int, value: bytes) -> bytes:
    return data[:position] + value + data[position + len(value) :]
