"""The import's worker side: parse, check and derive records in a separate process.

This module imports nothing from Django, so workers start clean (spawned, not forked: they
inherit no open file or lock of the importer) and cheaply.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from libdesk.catalog.characters import repair_record
from libdesk.catalog.derive import derive, normalise_lccn
from libdesk.catalog.marc import Parsed, parse_iso2709


def exit_with_parent(parent: int) -> None:
    """Worker initializer: if the importer is killed, its workers go too. Ctrl-C reaches
    every process of the terminal's group: the workers ignore it and leave the importer to
    stop them and say what was kept (each printed a traceback of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def prepare_raw_batch(items: list) -> list[Parsed]:
    """Parse each raw (number, offset, bytes) record, or pass a reject through; prepare it."""
    return [
        prepare(item if isinstance(item, Parsed) else parse_iso2709(item[2], item[0], item[1]))
        for item in items
    ]


def prepare(parsed: Parsed) -> Parsed:
    """Compute what storing needs, then drop the pymarc object (cheap to send back).

    Characters XML 1.0 forbids are repaired first, so the stored MARC, the values derived
    from it and every export agree, and each repair is reported (`Parsed.repairs`)."""
    if parsed.record is not None:
        parsed.repairs = repair_record(parsed.record)
        parsed.key = match_key(parsed)
        parsed.derived = derive(parsed.record)
        parsed.stored_marc = storable(parsed)
        parsed.record = None
    return parsed


def match_key(parsed: Parsed) -> tuple[str, str, str]:
    """001+003; only a record without a 001 falls back to its LCCN (never the ISBN)."""
    marc = parsed.record
    control = marc.get("001").data.strip() if marc.get("001") else ""
    source = marc.get("003").data.strip() if marc.get("003") else ""
    if control:
        return control, source, ""
    lccn_field = marc.get("010")
    lccn = normalise_lccn(lccn_field.get("a")) if lccn_field and lccn_field.get("a") else ""
    return "", "", lccn or f"#{parsed.number}"


def storable(parsed: Parsed) -> bytes:
    """The bytes as read, unless the record was converted from MARC-8 or repaired: then it
    is written again from the converted or repaired record, as UTF-8 MARC."""
    if parsed.raw[9:10] == b"a" and not parsed.repairs:
        return parsed.raw
    parsed.record.leader[9] = "a"
    return parsed.record.as_marc()
