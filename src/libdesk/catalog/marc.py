"""Reading MARC21 files: ISO 2709 and MARCXML, plain, gzip or xz, one record at a time.

The ISO 2709 reader finds record boundaries itself (the 0x1D terminator), so a record whose
leader or directory lies costs only that record. Every record is checked before it is
accepted: structure, indicators, subfield codes, encoding (invalid UTF-8 is rejected, never
repaired; MARC-8 is converted). MARCXML is parsed with DTDs and entities refused.
Characters XML 1.0 forbids inside values are not a reason to reject: the importer's
preparation step repairs them and reports each one (see `characters`).
"""

from __future__ import annotations

import gzip
import lzma
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as default
from pathlib import Path
from typing import BinaryIO
from xml.sax.handler import feature_namespaces

import pymarc
from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser
from pymarc.marcxml import XmlHandler

from libdesk.catalog.characters import Repair

RECORD_END, FIELD_END, SUBFIELD = b"\x1d", b"\x1e", b"\x1f"
CHUNK = 1 << 20
MAX_FIELD = 9999
TAG = re.compile(r"[0-9A-Za-z]{3}")
INDICATOR = re.compile(r"^[0-9a-z ]$")
SUBFIELD_CODE = re.compile(r"^[0-9a-z]$")


class FileUnreadable(Exception):
    """The file as a whole cannot be read (missing, not MARC, bad compression)."""


@dataclass
class Parsed:
    """One record read from a file: either a pymarc Record or the reason it was rejected."""

    number: int
    offset: int
    raw: bytes
    record: pymarc.Record | None = None
    reason: str = ""
    control_number: str | None = None
    # Filled by the importer's preparation step (in a worker process), so no pymarc object
    # has to cross back: the match key, the derived values, the MARC bytes to store.
    key: tuple[str, str, str] | None = None
    derived: object = None
    stored_marc: bytes = b""
    repairs: list[Repair] = default(default_factory=list)  # forbidden characters replaced


def open_marc(path: Path) -> tuple[BinaryIO, str, BinaryIO]:
    """Open a MARC file, uncompressing by content, and tell ISO 2709 from MARCXML. The third
    value is the file on disk, whose position says how far through it a reader is."""
    try:
        handle = raw = path.open("rb")
    except OSError as exc:
        raise FileUnreadable(f"cannot open {path}: {exc.strerror}") from exc
    magic = handle.read(6)
    handle.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        handle = gzip.open(handle, "rb")  # noqa: SIM115 - the caller closes it
    elif magic.startswith(b"\xfd7zXZ"):
        handle = lzma.open(handle, "rb")  # noqa: SIM115 - the caller closes it
    try:
        head = handle.read(512)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise FileUnreadable(f"{path}: cannot uncompress ({exc})") from exc
    kind = "xml" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "iso2709"
    if kind == "iso2709" and head and not head[:5].isdigit():
        raise FileUnreadable(f"{path}: neither ISO 2709 MARC nor MARCXML")
    handle.seek(0)
    return handle, kind, raw


def read_records(path: Path) -> Iterator[Parsed]:
    handle, kind, _raw = open_marc(path)
    with handle:
        yield from (read_xml(handle) if kind == "xml" else _read_iso2709(handle))


def _read_iso2709(handle: BinaryIO) -> Iterator[Parsed]:
    for item in split_iso2709(handle):
        yield item if isinstance(item, Parsed) else parse_iso2709(item[2], item[0], item[1])


def split_iso2709(handle: BinaryIO) -> Iterator[tuple[int, int, bytes] | Parsed]:
    """Raw records as (number, byte offset, bytes), cut at each 0x1D terminator; a tail
    without a terminator comes as a rejected Parsed."""
    buffer, offset, number = b"", 0, 0
    while True:
        try:
            chunk = handle.read(CHUNK)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            yield Parsed(number + 1, offset, buffer, reason=f"file ends abruptly: {exc}")
            return
        buffer += chunk
        start = 0
        while (end := buffer.find(RECORD_END, start)) >= 0:
            raw, start = buffer[start : end + 1], end + 1
            if raw.strip(b"\r\n\x00 \x1a" + RECORD_END):
                number += 1
                yield number, offset, raw
            offset += len(raw)
        buffer = buffer[start:]
        if not chunk:
            if buffer.strip(b"\r\n\x00 \x1a"):
                yield Parsed(
                    number + 1,
                    offset,
                    buffer,
                    reason="truncated record (no terminator)",
                    control_number=_control_number_guess(buffer),
                )
            return


def parse_iso2709(raw: bytes, number: int = 1, offset: int = 0) -> Parsed:
    parsed = Parsed(number, offset, raw, control_number=_control_number_guess(raw))
    parsed.reason = _structure_problem(raw)
    if parsed.reason:
        return parsed
    try:
        record = pymarc.Record(
            data=raw,
            to_unicode=True,
            force_utf8=False,
            hide_utf8_warnings=True,
            utf8_handling="strict",
        )
    except UnicodeDecodeError as exc:
        parsed.reason = f"invalid UTF-8 at byte {exc.start} of the record"
        return parsed
    except (pymarc.exceptions.PymarcException, ValueError, IndexError) as exc:
        parsed.reason = f"not a valid MARC record: {exc}"
        return parsed
    parsed.reason = _content_problem(record)
    if not parsed.reason:
        parsed.record = record
    return parsed


def _structure_problem(raw: bytes) -> str:
    """What is wrong with the leader and directory, or '' when they agree with the bytes."""
    if len(raw) < 25 or not raw[:5].isdigit():
        return "leader is not a MARC leader"
    if int(raw[:5]) != len(raw):
        return f"record length {int(raw[:5])} in the leader, but the record has {len(raw)} bytes"
    if not raw[12:17].isdigit():
        return "base address of data is not a number"
    base = int(raw[12:17])
    directory = raw[24 : base - 1]
    if base > len(raw) or raw[base - 1 : base] != FIELD_END or len(directory) % 12:
        return "directory length does not match the base address"
    encoding = raw[9:10]
    if encoding not in (b"a", b" "):
        return f"leader position 9 (encoding) is {encoding!r}, neither 'a' nor blank"
    for start in range(0, len(directory), 12):
        entry = directory[start : start + 12]
        if not entry.isdigit() and not entry[3:].isdigit():
            return f"directory entry {start // 12 + 1} is not numeric"
        length, position = int(entry[3:7]), int(entry[7:12])
        field = raw[base + position : base + position + length]
        if len(field) != length or not field.endswith(FIELD_END):
            return (
                f"directory entry for field {entry[:3].decode(errors='replace')} points "
                "outside its field"
            )
        if length > MAX_FIELD:
            return f"field {entry[:3].decode(errors='replace')} is longer than {MAX_FIELD} bytes"
    if encoding == b" " and _looks_like_utf8(raw[base:]):
        return "leader says MARC-8 but the data is UTF-8"
    return ""


def _looks_like_utf8(data: bytes) -> bool:
    if max(data, default=0) < 0x80:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _content_problem(record: pymarc.Record) -> str:
    for field in record.fields:
        tag = field.tag
        if not TAG.fullmatch(tag):
            return f"field tag {tag!r} is not three letters or digits"
        if field.is_control_field():
            continue
        for indicator in field.indicators or ():
            if not INDICATOR.match(indicator or " "):
                return f"field {tag} has an invalid indicator {indicator!r}"
        for subfield in field.subfields:
            if not SUBFIELD_CODE.match(subfield.code or ""):
                return f"field {tag} has an invalid subfield code {subfield.code!r}"
    if record.get("245") is None:
        return "no title (field 245)"
    return ""


def _control_number_guess(raw: bytes) -> str | None:
    """The 001 of a record that cannot be parsed, when its directory still shows it."""
    try:
        base = int(raw[12:17])
        directory = raw[24 : base - 1]
        for start in range(0, len(directory), 12):
            if directory[start : start + 3] == b"001":
                length, position = (
                    int(directory[start + 3 : start + 7]),
                    int(directory[start + 7 : start + 12]),
                )
                value = raw[base + position : base + position + length - 1]
                return value.decode("utf-8", errors="replace").strip() or None
    except (ValueError, IndexError):
        return None
    return None


class _Collector(XmlHandler):
    def __init__(self) -> None:
        super().__init__(strict=False, normalize_form=None)
        self.ready: list[pymarc.Record] = []

    def process_record(self, record: pymarc.Record) -> None:
        self.ready.append(record)


def read_xml(handle: BinaryIO) -> Iterator[Parsed]:
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)  # pymarc's handler reads namespaced events
    collector = _Collector()
    parser.setContentHandler(collector)
    number, offset = 0, 0
    while True:
        chunk = handle.read(1 << 16)
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except (DefusedXmlException, Exception) as exc:  # SAXParseException and defused errors
            yield from _flush(collector, number, offset)
            yield Parsed(
                number + len(collector.ready) + 1, offset, b"", reason=f"malformed XML: {exc}"
            )
            return
        for parsed in _flush(collector, number, offset):
            number = parsed.number
            yield parsed
        offset += len(chunk)
        if not chunk:
            return


def _flush(collector: _Collector, number: int, offset: int) -> Iterator[Parsed]:
    records, collector.ready = collector.ready, []
    for record in records:
        number += 1
        record.leader[9] = "a"  # XML is Unicode: store it as UTF-8 MARC
        try:
            raw = record.as_marc()
        except (ValueError, UnicodeEncodeError) as exc:
            yield Parsed(number, offset, b"", reason=f"cannot be stored as MARC: {exc}")
            continue
        control = record.get("001").data.strip() if record.get("001") else None
        problem = _content_problem(record) or _structure_problem(raw)
        yield Parsed(number, offset, raw, record if not problem else None, problem, control)
