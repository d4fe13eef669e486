"""Reading MARC back as independent parsers do, and the repair docs/catalogue.md documents,
written out here rather than taken from libdesk's code."""

import re

import pymarc
from lxml import etree

MARC_NS = "{http://www.loc.gov/MARC21/slim}"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def repaired(text: str) -> str:
    """docs/catalogue.md: a C0 control other than tab, LF and CR becomes a space; U+FFFE,
    U+FFFF and lone surrogates become U+FFFD."""
    return "".join(
        " " if ord(c) < 0x20 and c not in "\t\n\r" else "\ufffd" if FORBIDDEN.match(c) else c
        for c in text
    )


def read_as_xml(text: str) -> str:
    """What an XML parser reads back for a value: the repair, then XML 1.0's end-of-line
    handling (a CR, alone or before an LF, is read as an LF)."""
    return repaired(text).replace("\r\n", "\n").replace("\r", "\n")


def forbidden_at(text: str) -> tuple[list[int], list[str]]:
    spots = [(i, c) for i, c in enumerate(text) if FORBIDDEN.match(c)]
    return [i for i, _ in spots], [f"U+{ord(c):04X}" for _, c in spots]


def as_rows(record: pymarc.Record, fix=lambda text: text) -> list[tuple]:
    """A record as comparable rows: the leader, then each field in order."""
    rows: list[tuple] = [("LDR", fix(str(record.leader)))]
    for field in record.fields:
        if field.is_control_field():
            rows.append((field.tag, fix(field.data)))
        else:
            subfields = tuple((s.code, fix(s.value)) for s in field.subfields)
            rows.append((field.tag, *field.indicators, subfields))
    return rows


def lxml_rows(document: bytes) -> list[list[tuple]]:
    """Every record of a MARCXML document (collection or lone record) as lxml reads it.
    lxml's parser does not recover: a document that is not well-formed raises."""
    root = etree.fromstring(document, etree.XMLParser(recover=False, resolve_entities=False))
    records = [root] if root.tag == f"{MARC_NS}record" else root.iter(f"{MARC_NS}record")
    out = []
    for record in records:
        rows: list[tuple] = [("LDR", record.findtext(f"{MARC_NS}leader"))]
        for node in record:
            if node.tag == f"{MARC_NS}controlfield":
                rows.append((node.get("tag"), node.text or ""))
            elif node.tag == f"{MARC_NS}datafield":
                subfields = tuple((s.get("code"), s.text or "") for s in node)
                rows.append((node.get("tag"), node.get("ind1"), node.get("ind2"), subfields))
        out.append(rows)
    return out


def pymarc_rows(data: bytes) -> list[list[tuple]]:
    reader = pymarc.MARCReader(data, to_unicode=True, force_utf8=True)
    return [as_rows(record) for record in reader]


def control_numbers(records: list[list[tuple]]) -> list[str]:
    return [dict(row[:2] for row in rows if len(row) == 2)["001"] for rows in records]
