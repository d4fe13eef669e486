"""Secrets never logged (issue 12, deliverable 7): after a whole run of the suite at
LIBDESK_LOG_LEVEL=DEBUG with a log file, none of the run's secrets is in that log or in any
file under the data directories its tests made.

`./dev test` (the whole suite) sets LIBDESK_LOG_DIR, LIBDESK_CANARY_FILE, LIBDESK_DATA_DIR and
pytest's --basetemp under one folder, runs the suite, then runs this module with
LIBDESK_SECRET_SCAN naming that folder. The canaries are the demo accounts' canary PINs and
password, their card numbers, and every token, session id, password and PIN of eight or more
characters the run made (tests/canaries.py). Card numbers belong in the libdesk database
itself (a card is looked up by its number), so they are searched for everywhere but there;
PINs, passwords, tokens and session ids are stored only as hashes, so they are searched for
everywhere, databases included.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.secret_scan

DATABASE_FILE = re.compile(r"\.sqlite3(-wal|-shm|-journal)?$")
TOKEN_CHARACTERS = re.compile(rb"[A-Za-z0-9_\-]")


@pytest.fixture(scope="module")
def run_folder() -> Path:
    return Path(os.environ["LIBDESK_SECRET_SCAN"])


@pytest.fixture(scope="module")
def canaries(run_folder) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for line in (run_folder / "canaries").read_text(encoding="utf-8").split("\n"):
        if not line:
            continue
        kind, value = json.loads(line)
        found[kind].add(value)
    return found


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()]


def leaks_in(data: bytes, canaries: dict[str, set[str]], *, cards: bool) -> set[str]:
    """The canaries found in `data`. Plain substring search for the few fixed ones; for the
    thousands of tokens and session ids, every window of their length inside each run of
    token characters is looked up in a set (a substring search per token would take hours)."""
    leaked = {value for value in canaries["pin"] | canaries["password"] if value.encode() in data}
    if cards:
        leaked |= {card for card in canaries["card"] if card.encode() in data}
    random = {value.encode() for value in canaries["token"] | canaries["session"]}
    lengths = {len(value) for value in random}
    # Only runs at least as long as the shortest secret can hold one: the regex skips the
    # words of the logs in C instead of handing each to Python.
    long_runs = re.compile(TOKEN_CHARACTERS.pattern + b"{%d,}" % min(lengths, default=1))
    for run in long_runs.finditer(data):
        text = run.group()
        for length in lengths:
            for start in range(len(text) - length + 1):
                if text[start : start + length] in random:
                    leaked.add(text[start : start + length].decode())
    return leaked


def test_the_run_recorded_its_secrets_and_logged_at_debug(run_folder, canaries):
    assert len(canaries["pin"]) >= 4 and canaries["password"] and len(canaries["card"]) >= 4
    assert len(canaries["token"]) >= 50, "the suite issues API tokens in many tests"
    assert len(canaries["session"]) >= 50, "the suite signs in through the web in many tests"
    logs = files_under(run_folder / "logs")
    assert logs, "LIBDESK_LOG_DIR received no log file"
    assert any(b" DEBUG " in path.read_bytes() for path in logs)


def test_the_run_also_logged_as_json_lines(run_folder):
    """Every line of the JSON day files is one JSON object with the fixed fields: the scan
    below reads them with the rest (tests/canaries.py writes them during the run)."""
    json_logs = files_under(run_folder / "logs" / "json")
    assert json_logs, "the run wrote no JSON log file"
    levels, routes = set(), set()
    for path in json_logs:
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            assert {"time", "level", "logger", "message", "process"} <= set(entry)
            levels.add(entry["level"])
            routes.add(entry.get("route"))
    assert "DEBUG" in levels and "INFO" in levels
    assert "staff/serving/<uuid:context_id>/" in routes, "requests are logged by route pattern"


def test_the_metrics_scraped_after_patron_activity_were_left_to_scan(run_folder):
    """tests/web/test_monitoring.py leaves its /metrics scrape in its temporary folder, which
    `test_no_secret_is_in_any_file_the_tests_left` searches."""
    assert list((run_folder / "tmp").rglob("metrics.txt"))


def test_no_secret_is_in_the_log_files(run_folder, canaries):
    leaks = {
        str(path): found
        for path in files_under(run_folder / "logs")
        if (found := leaks_in(path.read_bytes(), canaries, cards=True))
    }
    assert leaks == {}


def test_no_secret_is_in_any_file_the_tests_left(run_folder, canaries):
    folders = [run_folder / "data", run_folder / "tmp"]
    scanned = files_under(*folders)
    assert scanned, "the run left no file to scan: the data directories were not where expected"
    leaks = {}
    for path in scanned:
        is_database = DATABASE_FILE.search(path.name) is not None
        if found := leaks_in(path.read_bytes(), canaries, cards=not is_database):
            leaks[str(path)] = found
    assert leaks == {}
