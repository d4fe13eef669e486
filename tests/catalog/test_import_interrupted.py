"""Ctrl-C during `libdesk catalog import`, at a terminal: one line saying what was kept (no
traceback from the importer or its worker processes), a progress bar not drawn in an error's
red, and the same command run again finishes the import without duplicates."""

import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.catalog.marcdata import book, raw, write

pytestmark = [pytest.mark.slow, pytest.mark.once]

RECORDS = 30_000  # enough that the import is still running when Ctrl-C comes


def libdesk_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, "LIBDESK_DATA_DIR": str(data_dir), "TERM": "xterm-256color"}


def records_in(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute("SELECT count(*) FROM catalog_record").fetchone()[0]


def at_a_terminal(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, list]:
    """Standard output and error on a pseudo-terminal, in a process group of its own (as a
    shell runs it, so that Ctrl-C reaches the importer and its workers alike)."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=child,
        stderr=child,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(child)
    screen: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO once the last writer is gone
                break
            if not chunk:
                break
            screen.append(chunk)
        os.close(main)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return process, [screen, reader]


def test_ctrl_c_mid_import_keeps_whole_batches_says_so_and_a_rerun_finishes(tmp_path):
    env = libdesk_env(tmp_path / "library")
    command = [sys.executable, "-m", "libdesk"]
    subprocess.run([*command, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    marc = write(
        tmp_path / "big.mrc",
        [raw(book(f"int{n:05d}", f"Interrupted title {n}")) for n in range(RECORDS)],
    )
    database = tmp_path / "library" / "libdesk.sqlite3"
    importing, (screen, reader) = at_a_terminal([*command, "catalog", "import", str(marc)], env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and importing.poll() is None:
        if records_in(database) >= 2000:  # the first batch's progress is drawn by now
            break
        time.sleep(0.05)
    assert importing.poll() is None, "the import ended before it could be interrupted"
    os.killpg(importing.pid, signal.SIGINT)  # what Ctrl-C at the terminal does
    assert importing.wait(timeout=60) == 130
    reader.join(timeout=10)
    output = b"".join(screen).decode()
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert "\x1b[" not in output  # no colour: neither the progress bar nor the message is red
    assert "records" in output and "[#" in output  # the progress bar was drawn
    found = re.search(r"interrupted: ([\d,]+) records kept, run the same command again", output)
    assert found, output
    kept = int(found.group(1).replace(",", ""))
    assert kept == records_in(database) and kept % 1000 == 0 and 0 < kept < RECORDS

    rerun = subprocess.run(
        [*command, "catalog", "import", str(marc)], env=env, capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"created {RECORDS - kept}, updated 0, unchanged {kept}" in rerun.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM catalog_record").fetchone()[0] == RECORDS
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT control_number FROM "
            "catalog_record GROUP BY control_number HAVING count(*) > 1)"
        )
        assert duplicates.fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM catalog_outboxentry").fetchone()[0] == 0
