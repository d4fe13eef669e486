"""Canary secrets, and a pytest plugin (`-p tests.canaries`) that writes down every secret the
suite hands out, so that a scan after the suite can prove none was logged or left in a file.

The demo accounts keep their published card numbers, but in tests their PINs and the staff's
password are values that occur nowhere else (`give_demo_accounts_canary_secrets`, called by the
demo fixtures): a PIN found in a log can only have come from a sign-in. Tokens and session ids
are random; the plugin records each one where it is made. With LIBDESK_CANARY_FILE set (as
`./dev test` does for the whole suite), every process appends one JSON line, [kind, value],
to it, and tests/privacy/test_secrets_never_logged.py, run after the suite, searches the log
files and every file under the data directories for them (issue 12, "Secrets never logged").
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

STAFF_PASSWORD = "Canary-staff-pw-7Qm2Zx9v"
CARDS = ("29000000000001", "29000000000002", "29000000000010", "29000000000011")
PINS = dict(zip(CARDS, ("7306148825", "6192740357", "8451093726", "5038261947"), strict=True))
# A libdesk started by a test logs where the run does, so the scan reads its log too.
LOGS = ("LIBDESK_LOG_DIR", "LIBDESK_LOG_LEVEL")
SCANNABLE = 8  # shorter secrets (a test's "0000") could match anything; they are not scanned
# The `sip2` package's kiosk client (tests/sip2) logs every request, PINs included, at DEBUG to
# ./sip2.log unless told otherwise; its tests point it at a temporary folder at WARNING, which
# the scan reads like every file the tests left. One written to the working tree anyway (a test
# that forgot) is moved into the run's log folder at the end, so the scan reads it there too.
SIP2_CLIENT_LOG = "sip2.log"


def give_demo_accounts_canary_secrets() -> None:
    """The demo's patrons get canary PINs and its staff the canary password."""
    from django.contrib.auth.hashers import make_password

    from libdesk.accounts.models import StaffUser
    from libdesk.patrons.models import Patron

    for card, pin in PINS.items():
        Patron.objects.filter(card_number=card).update(pin_hash=make_password(pin))
    StaffUser.objects.update(password=make_password(STAFF_PASSWORD))


def record(kind: str, value: str) -> None:
    path = os.environ.get("LIBDESK_CANARY_FILE")
    if path and len(value) >= SCANNABLE:
        with open(path, "a", encoding="utf-8") as canaries:
            # JSON, because a test's password may hold a tab or a line break of its own
            canaries.write(json.dumps([kind, value]) + "\n")


JSON_LOGS = "json"  # the run's JSON day files, in this folder under LIBDESK_LOG_DIR


@pytest.fixture(scope="session", autouse=True)
def _logs_also_written_as_json() -> Iterator[None]:
    """The whole run also logs every line as JSON (LIBDESK_LOG_FORMAT=json's formatter) to
    day files of its own, so the secret scan reads both formats (docs/observability.md)."""
    log_dir = os.environ.get("LIBDESK_LOG_DIR")
    if not os.environ.get("LIBDESK_CANARY_FILE") or not log_dir:
        yield
        return
    import logging

    from libdesk.core.jsonlog import JsonFormatter
    from libdesk.core.logfiles import DailyLogFile

    # a folder per xdist worker, so that no two processes append to one file (a long line,
    # a traceback, is more than one write and could be cut by another process's line)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    handler = DailyLogFile(str(Path(log_dir) / JSON_LOGS / worker))
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


@pytest.fixture(scope="session", autouse=True)
def _every_secret_recorded() -> Iterator[None]:
    """Wrap where tokens, session keys and password or PIN hashes are made, for the run."""
    if not os.environ.get("LIBDESK_CANARY_FILE"):
        yield
        return
    from libdesk.api import tokens
    from libdesk.core.sessions import SessionStore
    from tests.hashers import FastArgon2PasswordHasher

    for pin in PINS.values():
        record("pin", pin)
    for card in CARDS:
        record("card", card)
    record("password", STAFF_PASSWORD)
    issue, new_key = tokens._issue, SessionStore._get_new_session_key
    encode = FastArgon2PasswordHasher.encode

    def recorded_issue(**holder):
        issued = issue(**holder)
        record("token", issued.bearer)
        record("token", issued.bearer.rsplit("_", 1)[1])  # the secret part alone
        return issued

    def recorded_key(self):
        key = new_key(self)
        record("session", key)
        return key

    def recorded_encode(self, password, salt):
        record("password", password)
        return encode(self, password, salt)

    tokens._issue = recorded_issue
    SessionStore._get_new_session_key = recorded_key
    FastArgon2PasswordHasher.encode = recorded_encode
    try:
        yield
    finally:
        tokens._issue = issue
        SessionStore._get_new_session_key = new_key
        FastArgon2PasswordHasher.encode = encode


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Once per run (not in each xdist worker): any sip2.log the SIP2 client left in the working
    tree goes into LIBDESK_LOG_DIR, where the secret scan searches the logs."""
    log_dir = os.environ.get("LIBDESK_LOG_DIR")
    if (
        not os.environ.get("LIBDESK_CANARY_FILE")
        or not log_dir
        or hasattr(session.config, "workerinput")
    ):
        return
    for left in {Path.cwd(), Path(str(session.config.rootpath))}:
        for path in left.glob(SIP2_CLIENT_LOG + "*"):
            os.makedirs(log_dir, exist_ok=True)
            shutil.move(path, Path(log_dir) / f"left-in-tree-{path.name}")
