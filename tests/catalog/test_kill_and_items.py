"""A killed import leaves whole batches and completes on a second run; the items CSV door."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from libdesk.catalog.models import Item, Record
from libdesk.catalog.selectors import search
from libdesk.demo.loader import CATALOGUE_FILE
from tests.catalog.marcdata import book, raw, write


def libdesk_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIBDESK_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return {**env, "LIBDESK_DATA_DIR": str(data_dir)}


@pytest.mark.slow
@pytest.mark.once
def test_kill_9_mid_import_then_rerun_completes_without_duplicates(tmp_path):
    env = libdesk_env(tmp_path)
    command = [sys.executable, "-m", "libdesk"]
    subprocess.run([*command, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    database = tmp_path / "libdesk.sqlite3"
    importing = subprocess.Popen(
        [*command, "catalog", "import", str(CATALOGUE_FILE)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline and importing.poll() is None:
        with sqlite3.connect(database, timeout=30) as db:
            count = db.execute("SELECT count(*) FROM catalog_record").fetchone()[0]
        if count:
            break
        time.sleep(0.02)
    importing.send_signal(signal.SIGKILL)
    importing.wait()
    with sqlite3.connect(database, timeout=30) as db:
        after_kill = db.execute("SELECT count(*) FROM catalog_record").fetchone()[0]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert after_kill % 1000 == 0  # whole batches only
    rerun = subprocess.run(
        [*command, "catalog", "import", str(CATALOGUE_FILE)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"created {2000 - after_kill}" in rerun.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM catalog_record").fetchone()[0] == 2000
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT control_number FROM "
            "catalog_record GROUP BY control_number HAVING count(*) > 1)"
        )
        assert duplicates.fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM catalog_outboxentry").fetchone()[0] == 0


@pytest.fixture
def two_records(tmp_path, demo_library):
    from libdesk.catalog.importing import import_file

    import_file(
        write(tmp_path / "r.mrc", [raw(book("r1", "Owls of Ontario")), raw(book("r2", "Loons"))])
    )


def items_csv(tmp_path, *rows: str) -> Path:
    path = tmp_path / "items.csv"
    path.write_text(
        "barcode,control_number,branch,location,call_number,collection,status\n"
        + "\n".join(rows)
        + "\n"
    )
    return path


@pytest.mark.django_db
def test_items_import_creates_then_updates_and_the_index_follows(tmp_path, two_records):
    path = items_csv(
        tmp_path,
        "39000000100001,r1,MAIN,Stacks,598.9 OWL,Adult,available",
        "39000000100002,r2,KEEW,Stacks,598.4 LOO,Adult,",
    )
    out = StringIO()
    call_command("items", "import", str(path), stdout=out)
    assert "2 items created, 0 updated" in out.getvalue()
    assert search("owls", filters={"available_at": "MAIN"}).total == 1
    path = items_csv(tmp_path, "39000000100001,r1,MAIN,Stacks,598.9 OWL,Adult,missing")
    call_command("items", "import", str(path), stdout=StringIO())
    assert Item.objects.get(barcode="39000000100001").status == "missing"
    assert search("owls", filters={"available_at": "MAIN"}).total == 0
    assert search("39000000100002").records[0].title == "Loons"


@pytest.mark.django_db
def test_a_bad_items_file_names_every_bad_line_and_stores_nothing(tmp_path, two_records):
    path = items_csv(
        tmp_path,
        "39000000100001,r1,MAIN,Stacks,1,Adult,available",
        "39000000100001,r9,NOPE,Stacks,1,Adult,borrowed",
    )
    with pytest.raises(CommandError) as caught:
        call_command("items", "import", str(path), stdout=StringIO())
    message = str(caught.value)
    assert "line 3: barcode 39000000100001 appears twice" in message
    assert "line 3: no record has control number 'r9'" in message
    assert "line 3: no branch has the code 'NOPE'" in message
    assert "line 3: status 'borrowed' is not one of" in message
    assert "No item was stored." in message
    assert not Item.objects.exists()
    assert Record.objects.count() == 2
