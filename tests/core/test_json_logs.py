"""Logs as JSON lines (LIBDESK_LOG_FORMAT=json): fixed fields a collector can index, through
the same masking as the plain lines, with the route pattern where Django would write the
path, and nothing else a record carries (Django hangs the whole request on its records)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from libdesk.core.jsonlog import JsonFormatter
from tests.canaries import PINS
from tests.conftest import AVERY

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Everything logged at INFO and above during the test, as the JSON formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_has_its_fields_in_utc_with_card_numbers_and_barcodes_masked(json_lines):
    log = logging.getLogger("libdesk.test.json")
    log.warning("item %s for card %s: loan 42", "31000000000001", AVERY)
    try:
        raise ValueError(f"no item 31000000000777 for {AVERY}")
    except ValueError:
        log.exception("failed")
    first, second = lines_of(json_lines)
    assert ISO_UTC.match(first["time"]), first["time"]
    assert first["level"] == "WARNING" and first["logger"] == "libdesk.test.json"
    assert first["message"] == "item …0001 for card …0001: loan 42"
    assert isinstance(first["process"], int)
    assert "request_id" not in first  # not written while a request is answered
    assert second["message"] == "failed"
    assert "ValueError: no item …0777 for …0001" in second["exception"]
    assert AVERY not in json_lines.getvalue() and "31000000000777" not in json_lines.getvalue()


def test_a_request_is_logged_by_its_route_with_status_duration_and_id(json_lines, db):
    response = Client().get("/policies/OP-99-99-99/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [line for line in lines_of(json_lines) if line.get("request_id") == request_id]
    own = next(line for line in lines if line["logger"] == "libdesk.request")
    assert own["route"] == "policies/<segment:number>/" and own["door"] == "web"
    assert own["method"] == "GET" and own["status"] == 404
    assert isinstance(own["duration_ms"], float)
    assert own["message"].startswith("GET policies/<segment:number>/ 404 ")
    django = next(line for line in lines if line["logger"] == "django.request")
    assert django["message"] == "Not Found: policies/<segment:number>/"
    assert "OP-99-99-99" not in json_lines.getvalue()


def test_no_raw_path_card_secret_link_or_request_detail_reaches_a_line(json_lines, db):
    Client().get(f"/nothing-here/{AVERY}/", HTTP_COOKIE=f"sessionid={PINS[AVERY]}")
    Client().get("/events/cancel/a-secret-cancel-token-123/")
    Client().get("/ask-a-librarian/answer/a-secret-asker-key-456/")
    text = json_lines.getvalue()
    for secret in (AVERY, PINS[AVERY], "a-secret-cancel-token-123", "a-secret-asker-key-456"):
        assert secret not in text
    unresolved = [line for line in lines_of(json_lines) if line["logger"] == "django.request"]
    assert unresolved and unresolved[0]["message"] == "Not Found: unresolved"
    assert unresolved[0]["route"] == "unresolved" and unresolved[0]["status"] == 404
    allowed = {
        *("time", "level", "logger", "message", "process", "exception", "stack"),
        *("request_id", "door", "method", "route", "status", "duration_ms"),
    }
    assert {key for line in lines_of(json_lines) for key in line} <= allowed


def test_the_setting_chooses_json_for_the_console_and_the_files(tmp_path):
    from tests.core.test_settings import settings_in_subprocess

    code_env = {"LIBDESK_LOG_FORMAT": "json", "LIBDESK_LOG_DIR": str(tmp_path / "logs")}
    found = settings_in_subprocess(tmp_path, **code_env)
    assert found["engine"]  # the settings load
    import os
    import subprocess
    import sys

    code = (
        "import django, logging; django.setup();"
        "logging.getLogger('libdesk.x').warning('card %s', '29000000000001')"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.update(
        DJANGO_SETTINGS_MODULE="libdesk.settings", LIBDESK_DATA_DIR=str(tmp_path), **code_env
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    console = json.loads(done.stderr.strip().splitlines()[-1])
    assert console["message"] == "card …0001" and console["level"] == "WARNING"
    (day_file,) = (tmp_path / "logs").iterdir()
    assert json.loads(day_file.read_text().splitlines()[-1])["message"] == "card …0001"


def test_an_unknown_log_format_is_named_when_libdesk_starts(tmp_path):
    from tests.core.test_settings import settings_in_subprocess

    with pytest.raises(AssertionError, match="LIBDESK_LOG_FORMAT must be text or json, not 'xml'"):
        settings_in_subprocess(tmp_path, LIBDESK_LOG_FORMAT="xml")
