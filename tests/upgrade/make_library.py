"""Make the small library an upgrade test starts from, with an OLD release's own code.

Run it with that release's Python, from that release's checkout, never this tree's:

    git worktree add --detach /work/wt-v010 v0.1.0
    cd /work/wt-v010 && ./dev lint            # creates that checkout's .venv
    .venv/bin/python /path/to/this/tests/upgrade/make_library.py OUT_DIR

It migrates a new data dir in a temporary folder, loads the demo library without its
catalogue, imports five records (MARC, through the release's importer) and their copies
(CSV, through its item import), then lends, returns and reserves through its circulation
services, so the audit log has a chain. OUT_DIR receives `library.tar.xz` (the data dir:
database, audit key, secret key; no index, no cache) and `expected.json` (what the upgraded
library must still hold). The test is tests/upgrade/test_upgrade.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TITLES = ["Quillwort", "Sphagnum", "Tamarack", "Muskeg", "Labrador tea"]
CARDS = {"avery": "29000000000001", "beatrice": "29000000000002", "jordan": "29000000000010"}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
        env["LIBDESK_DATA_DIR"] = str(data_dir)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        run = [sys.executable, "-m", "libdesk"]
        subprocess.run([*run, "migrate", "--no-input"], env=env, check=True, capture_output=True)
        done = subprocess.run(
            [sys.executable, __file__, "--fill"], env=env, check=True, capture_output=True
        )
        expected = json.loads(done.stdout.decode().strip().splitlines()[-1])
        database = data_dir / "libdesk.sqlite3"
        with sqlite3.connect(database) as db:  # everything into the one file
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
        with tarfile.open(out / "library.tar.xz", "w:xz", preset=9) as tar:
            for name in ("libdesk.sqlite3", "audit_key", "secret_key"):
                tar.add(data_dir / name, arcname=name)
    (out / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


def fill() -> None:
    """In the release's own process: its loader, importer and services."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    import django

    django.setup()
    from pymarc import Field, Indicators, Record, Subfield

    from libdesk import __version__
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.catalog.importing import import_file
    from libdesk.catalog.items import import_items_csv
    from libdesk.catalog.models import Record as CatalogRecord
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.services import checkin, checkout, place_hold
    from libdesk.demo.loader import load_demo
    from libdesk.library.models import Branch
    from libdesk.patrons.models import Patron

    load_demo(with_catalogue=False)
    folder = Path(tempfile.mkdtemp())
    marc = folder / "records.mrc"
    with marc.open("wb") as handle:
        for n, title in enumerate(TITLES, start=1):
            record = Record(force_utf8=True)
            record.leader[5], record.leader[6], record.leader[7] = "n", "a", "m"
            record.add_field(Field(tag="001", data=f"up{n:06d}"))
            record.add_field(Field(tag="003", data="KPL"))
            fixed = f"000101s{2000 + n}    xxu" + " " * 17 + "eng d"
            record.add_field(Field(tag="008", data=fixed.ljust(40)))
            record.add_field(
                Field(
                    tag="100",
                    indicators=Indicators("1", " "),
                    subfields=[Subfield("a", "Lindqvist, Ola")],
                )
            )
            record.add_field(
                Field(
                    tag="245",
                    indicators=Indicators("1", "0"),
                    subfields=[Subfield("a", f"{title} of the boreal shield.")],
                )
            )
            handle.write(record.as_marc())
    import_file(marc)
    items = ["barcode,control_number,branch,location,call_number,collection,status"]
    for n in range(1, len(TITLES) + 1):
        for copy in (1, 2):
            branch = "MAIN" if copy == 1 else "KEEW"
            items.append(f"3100000000{n}{copy:03d},up{n:06d},{branch},,581.6,adult,available")
    csv = folder / "items.csv"
    csv.write_text("\n".join(items) + "\n")
    import_items_csv(csv)

    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    patron = {who: Patron.objects.get(card_number=card) for who, card in CARDS.items()}
    loans = {
        "31000000001001": "avery",
        "31000000002001": "avery",
        "31000000003001": "beatrice",
        "31000000004001": "jordan",
    }
    for barcode, who in loans.items():
        checkout(desk, patron[who], barcode)
    checkin(desk, "31000000004001")  # returned: no longer a loan
    del loans["31000000004001"]
    main_branch = Branch.objects.get(code="MAIN")
    record = {r.title: r for r in CatalogRecord.objects.all()}
    holds = {
        "beatrice": "Quillwort of the boreal shield",
        "jordan": "Sphagnum of the boreal shield",
    }
    for who, title in holds.items():
        place_hold(desk, patron[who], pickup_branch=main_branch, record=record[title])
    print(
        json.dumps(
            {
                "made_with": __version__,
                "loans": {barcode: CARDS[who] for barcode, who in loans.items()},
                "holds": {CARDS[who]: title for who, title in holds.items()},
                "titles": sorted(record),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--fill"]:
        fill()
    else:
        main(Path(sys.argv[1]).resolve())
