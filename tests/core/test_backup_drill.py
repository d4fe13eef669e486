"""The backup drill (docs/backup.md): checkouts go on through the circulation service in a
thread while `libdesk backup` runs; the backup is restored into a fresh data dir (and, on
PostgreSQL, a new database) by `libdesk restore` in another process; there every loan
acknowledged before the backup started is present, every table holds what the backup counted,
the records and copies are all there, `libdesk audit verify` passes and search finds a record.
On SQLite in every run; on PostgreSQL when the suite runs there (.ci/run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection

from tests.circulation.conftest import Shelf
from tests.cli.test_libdesk_command import env_for

pytestmark = [pytest.mark.slow]

CARDS = ["29000000000001", "29000000000002", "29000000000010"]
WORDS = ["Quillwort", "Sphagnum", "Tamarack", "Muskeg"]
# What the restored library reports about itself, run there with `libdesk shell -c`.
REPORT = """
import json
from libdesk.catalog.selectors import search
from libdesk.circulation.models import Hold, Loan
from libdesk.catalog.models import Item, Record
from libdesk.patrons.models import Patron
print(json.dumps({
    "loans": sorted(Loan.objects.values_list("pk", flat=True)),
    "items": Item.objects.count(), "records": Record.objects.count(),
    "patrons": Patron.objects.count(), "holds": Hold.objects.count(),
    "found": [r.title for r in search("quillwort").records],
}))
"""


def libdesk(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


class Checkouts(threading.Thread):
    """A clerk lending copy after copy, remembering each loan once the service returned it."""

    def __init__(self, barcodes: list[str]) -> None:
        super().__init__(daemon=True)
        self.barcodes = barcodes
        self.acknowledged: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        from libdesk.accounts.models import StaffUser, Workstation
        from libdesk.circulation.desk import Desk
        from libdesk.circulation.services import checkout
        from libdesk.patrons.models import Patron

        try:
            desk = Desk.staff_at(
                StaffUser.objects.get(username="clerk"),
                Workstation.objects.get(name="MAIN-DESK-1"),
            )
            patrons = [Patron.objects.get(card_number=card) for card in CARDS]
            for n, barcode in enumerate(self.barcodes):
                if self.stop.is_set():
                    break
                result = checkout(desk, patrons[n % len(patrons)], barcode)
                self.acknowledged.append(result.loan.pk)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            connection.close()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and self.is_alive():
            assert time.monotonic() < deadline, "the checkouts stalled"
            time.sleep(0.01)
        assert self.error is None, self.error
        assert len(self.acknowledged) >= count, "the checkouts ran out of copies"


@contextmanager
def restore_target(tmp_path: Path):
    """The environment of a fresh library: a new data dir, and on PostgreSQL a new database
    (named here, dropped afterwards)."""
    env = env_for(tmp_path / "restored")
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    name = f"libdesk_drill_{uuid.uuid4().hex[:12]}"
    base = urlsplit(os.environ["LIBDESK_DATABASE_URL"])
    env["LIBDESK_DATABASE_URL"] = urlunsplit(base._replace(path=f"/{name}"))
    admin = urlunsplit(base._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_during_checkouts_restores_every_acknowledged_change(
    transactional_db, demo_library, tmp_path
):
    from libdesk.audit.models import AuditEntry
    from libdesk.catalog.models import Item, Record
    from libdesk.circulation.models import Hold
    from libdesk.patrons.models import Patron

    shelf = Shelf()
    records = [shelf.record(f"{word} of the boreal shield") for word in WORDS]
    barcodes = [shelf.copy(records[n % len(records)]).barcode for n in range(240)]
    quiet = {
        "items": Item.objects.count(),
        "records": Record.objects.count(),
        "patrons": Patron.objects.count(),
        "holds": Hold.objects.count(),
    }

    lending = Checkouts(barcodes)
    lending.start()
    try:
        lending.wait_for(10)
        before = list(lending.acknowledged)  # acknowledged before the backup started
        audited_before = AuditEntry.objects.count()
        call_command("backup", str(tmp_path / "backup"))
        during = len(lending.acknowledged) - len(before)
        lending.wait_for(len(before) + during + 5)  # still lending after the backup
    finally:
        lending.stop.set()
        lending.join(60)
    assert lending.error is None, lending.error

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database_vendor"] == connection.vendor
    assert "audit.0002_keyed_chain" in manifest["migrations"]
    assert manifest["row_counts"]["audit_auditentry"] >= audited_before

    with restore_target(tmp_path) as env:
        restored = libdesk(env, "restore", str(tmp_path / "backup"))
        assert restored.returncode == 0, restored.stderr
        assert "audit log verifies" in restored.stdout
        verified = libdesk(env, "audit", "verify")
        assert verified.returncode == 0, verified.stderr
        assert f"{manifest['row_counts']['audit_auditentry']} entries checked" in verified.stdout
        report = libdesk(env, "shell", "-c", REPORT)
        assert report.returncode == 0, report.stderr

    there = json.loads(report.stdout.strip().splitlines()[-1])
    loans = set(there["loans"])
    assert set(before) <= loans, "a loan acknowledged before the backup started is missing"
    assert loans <= set(lending.acknowledged), "the restored library has a loan nobody made"
    assert len(loans) == manifest["row_counts"]["circulation_loan"]
    assert {k: there[k] for k in quiet} == quiet
    assert there["found"] == ["Quillwort of the boreal shield"]
