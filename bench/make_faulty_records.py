"""Make the committed test file of real records holding characters XML 1.0 forbids: every
such record of the Library of Congress file, each after the clean record that precedes it
(so a reader that stops at the first fault is caught reading too few).

Run once by hand; the output is committed (15 records, 15 KB):
    .venv/bin/python bench/make_faulty_records.py ../shared/data/loc-books-2016-part01.mrc.xz \
        tests/catalog/loc_forbidden_characters.mrc
"""

import sys
from pathlib import Path

from libdesk.catalog.characters import repair_record
from libdesk.catalog.marc import Parsed, open_marc, parse_iso2709, split_iso2709


def main(source: str, target: str) -> None:
    handle, _kind, _raw = open_marc(Path(source))
    kept, previous, faulty_before = [], b"", False
    with handle:
        for item in split_iso2709(handle):
            if isinstance(item, Parsed):
                continue
            number, offset, raw = item
            parsed = parse_iso2709(raw, number, offset)
            faulty = parsed.record is not None and bool(repair_record(parsed.record))
            if faulty:
                kept += [raw] if faulty_before else [previous, raw]
                print(f"record {number} at byte {offset}: {parsed.control_number}")
            previous, faulty_before = raw, faulty
    Path(target).write_bytes(b"".join(kept))
    print(f"wrote {len(kept)} records to {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
