"""Writing the catalogue back out as MARC: the stored records, as ISO 2709 or MARCXML.

Every MARCXML libdesk writes (the export, a record's MARCXML on the API) comes out of
`marcxml()`, which applies the rule of `characters`: whatever a stored record holds (records
stored before the import repaired forbidden characters included), the XML is well-formed.
"""

import xml.etree.ElementTree as ET
from typing import BinaryIO

import pymarc

from libdesk.catalog.characters import xml_safe
from libdesk.catalog.models import Record

HEADER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
)


def export(handle: BinaryIO, fmt: str = "iso2709") -> int:
    count = 0
    if fmt == "marcxml":
        handle.write(HEADER)
    for marc in Record.objects.order_by("pk").values_list("marc", flat=True).iterator(2000):
        raw = bytes(marc)
        if fmt == "marcxml":
            handle.write(marcxml(parse_stored(raw)) + b"\n")
        else:
            handle.write(raw)
        count += 1
    if fmt == "marcxml":
        handle.write(b"</collection>\n")
    return count


def parse_stored(raw: bytes) -> pymarc.Record:
    """A stored record as pymarc reads it. The import stores only valid UTF-8; should a
    stored record hold anything else, its bad bytes become U+FFFD rather than stop an
    export half-way through the catalogue."""
    return pymarc.Record(data=raw, to_unicode=True, force_utf8=True, utf8_handling="replace")


def marcxml(record: pymarc.Record, namespace: bool = False) -> bytes:
    """MARCXML in UTF-8 (pymarc's own writer escapes every non-ASCII letter), well-formed
    whatever the record holds: ElementTree escapes markup but writes control characters as
    they are, so the serialised text goes through `xml_safe` (the markup itself is ASCII, so
    only the record's own values and attributes can change)."""
    node = pymarc.record_to_xml_node(record, namespace=namespace)
    return xml_safe(ET.tostring(node, encoding="unicode")).encode("utf-8")
