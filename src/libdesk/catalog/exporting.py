"""Writing the catalogue back out as MARC: the stored records, unchanged."""

import xml.etree.ElementTree as ET
from typing import BinaryIO

import pymarc

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
            record = pymarc.Record(data=raw, to_unicode=True, force_utf8=True)
            handle.write(marcxml(record) + b"\n")
        else:
            handle.write(raw)
        count += 1
    if fmt == "marcxml":
        handle.write(b"</collection>\n")
    return count


def marcxml(record: pymarc.Record, namespace: bool = False) -> bytes:
    """MARCXML in UTF-8 (pymarc's own writer escapes every non-ASCII letter)."""
    node = pymarc.record_to_xml_node(record, namespace=namespace)
    return ET.tostring(node, encoding="unicode").encode("utf-8")
