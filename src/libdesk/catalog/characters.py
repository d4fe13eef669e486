"""Characters that real MARC records carry but XML 1.0 forbids, and what libdesk puts in
their place.

Library of Congress records hold a few of them (a subfield delimiter, 0x1F, where the blank
that ends an LCCN-style 001 belongs). One such character makes a whole MARCXML document
ill-formed and every reader stops there, so libdesk applies one rule everywhere: the import
repairs the record it stores and reports each repair (`repair_record`), and the MARCXML
writer applies the same rule to whatever a stored record still holds (`xml_safe`).

The rule keeps every other character where it was, because the leader and fields 006-008
are read by position: a C0 control other than tab, LF and CR (MARC's own delimiters 0x1D,
0x1E and 0x1F included) becomes a space, which is also what belongs where LoC's stray
delimiters sit; U+FFFE, U+FFFF and lone surrogates become U+FFFD, the replacement
character. Both replacements have the UTF-8 length of what they replace, so a repaired
ISO 2709 record keeps its directory.

This module imports nothing from Django: the import's worker processes use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymarc

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SPACE, REPLACEMENT = " ", "\ufffd"


def replacement(char: str) -> str:
    return SPACE if char < " " else REPLACEMENT


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 forbids replaced; most text has none and comes
    back as it is."""
    if FORBIDDEN.search(text) is None:
        return text
    return FORBIDDEN.sub(lambda found: replacement(found.group()), text)


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


@dataclass(frozen=True)
class Repair:
    """One value of a record that held forbidden characters, and what replaced them.
    Positions count characters from 0, as MARC counts the leader's and 008's positions."""

    field: str  # "leader" or the field's tag
    occurrence: int  # 1 for the first field with this tag, 2 for the second...
    subfield: str | None
    positions: tuple[int, ...]
    found: tuple[str, ...]  # code points, "U+001F"
    replaced_by: tuple[str, ...]

    def describe(self) -> str:
        where = self.field if self.field == "leader" else f"field {self.field}"
        if self.occurrence > 1:
            where += f" (occurrence {self.occurrence})"
        if self.subfield is not None:
            where += f" subfield ${self.subfield}"
        changes = "; ".join(
            f"{found} at position {position} replaced by {'a space' if by == 'U+0020' else by}"
            for position, found, by in zip(
                self.positions, self.found, self.replaced_by, strict=True
            )
        )
        return f"{where}: {changes} (a character XML 1.0 forbids)"

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "occurrence": self.occurrence,
            "subfield": self.subfield,
            "positions": list(self.positions),
            "found": list(self.found),
            "replaced_by": list(self.replaced_by),
            "warning": self.describe(),
        }


def _repair(field: str, occurrence: int, subfield: str | None, value: str) -> Repair:
    matches = list(FORBIDDEN.finditer(value))
    return Repair(
        field=field,
        occurrence=occurrence,
        subfield=subfield,
        positions=tuple(m.start() for m in matches),
        found=tuple(code_point(m.group()) for m in matches),
        replaced_by=tuple(code_point(replacement(m.group())) for m in matches),
    )


def repair_record(record: pymarc.Record) -> list[Repair]:
    """Replace forbidden characters in the leader, control fields and subfield values, in
    place, and say what was replaced. Tags, indicators and subfield codes are not repaired:
    the importer rejects a record whose structure holds anything but letters and digits.
    Every value of every imported record passes through here, so the common case (nothing
    to repair) is one regular-expression search per value and nothing else."""
    repairs: list[Repair] = []
    search = FORBIDDEN.search
    leader = str(record.leader)
    if search(leader):
        repairs.append(_repair("leader", 1, None, leader))
        record.leader = pymarc.Leader(xml_safe(leader))
    seen: dict[str, int] = {}
    for field in record.fields:
        tag = field.tag
        seen[tag] = seen.get(tag, 0) + 1
        if field.control_field:
            if search(field.data):
                repairs.append(_repair(tag, seen[tag], None, field.data))
                field.data = xml_safe(field.data)
            continue
        for index, (code, value) in enumerate(field.subfields):
            if search(value):
                repairs.append(_repair(tag, seen[tag], code, value))
                field.subfields[index] = pymarc.Subfield(code, xml_safe(value))
    return repairs
