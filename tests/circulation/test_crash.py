"""An acknowledged checkout survives kill -9 of the server; nothing is half-written; a retried
request with its Idempotency-Key after the restart makes no second loan."""

import http.client
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.cli.test_libdesk_command import env_for, free_port, libdesk

pytestmark = [pytest.mark.slow, pytest.mark.once]
CARDS = ["29000000000001", "29000000000002", "29000000000010"]


def serve(data_dir, port) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "libdesk", "serve_web", "--bind", "127.0.0.1", "--port", str(port)],
        env=env_for(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def call(port, token, path, body, **headers) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        path,
        json.dumps(body),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def open_context(port, token, card) -> str:
    """The desk scans the patron's card: a serving context the checkouts are made in."""
    status, body = call(
        port, token, "/api/v1/serving", {"patron_card": card, "basis": "card_presented"}
    )
    assert status == 201, body
    return body["id"]


def checkout(port, token, context, barcode, key):
    return call(
        port,
        token,
        "/api/v1/circulation/checkout",
        {"item_barcode": barcode},
        **{"X-Serving-Context": context, "Idempotency-Key": key},
    )


def test_kill_9_mid_checkouts_keeps_every_acknowledged_loan(tmp_path):
    libdesk(tmp_path, "migrate", "--no-input")
    libdesk(tmp_path, "demo", "load")
    issued = libdesk(tmp_path, "tokens", "create", "clerk", "--workstation", "MAIN-DESK-1")
    token = issued.stdout.rsplit(": ", 1)[1].strip()
    port = free_port()
    server = serve(tmp_path, port)
    contexts = [open_context(port, token, card) for card in CARDS]
    acknowledged: dict[str, int] = {}
    unanswered = None
    for n in range(1, 91):
        barcode = f"390000000000{n:02d}"
        key = f"crash-{barcode}"
        if n == 40:
            server.send_signal(signal.SIGKILL)  # mid-stream: the next calls get no answer
            server.wait()
        try:
            status, body = checkout(port, token, contexts[n % 3], barcode, key)
        except OSError:
            unanswered = (contexts[n % 3], barcode, key)
            break
        assert status == 201, body
        acknowledged[barcode] = body["loan_id"]
    assert len(acknowledged) >= 30 and unanswered is not None
    with sqlite3.connect(tmp_path / "libdesk.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        open_loans = dict(
            db.execute(
                "SELECT i.barcode, l.id FROM circulation_loan l "
                "JOIN catalog_item i ON i.id = l.item_id WHERE l.closed_at IS NULL"
            ).fetchall()
        )
        for barcode, loan_id in acknowledged.items():
            assert open_loans[barcode] == loan_id
        on_loan = {
            b for (b,) in db.execute("SELECT barcode FROM catalog_item WHERE status = 'on_loan'")
        }
        assert on_loan == set(open_loans)  # no item status without its loan, or the reverse
        audited = db.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'circulation.checkout'"
        ).fetchone()[0]
        assert audited == len(open_loans)
    server = serve(tmp_path, port)
    try:
        context, barcode, key = unanswered
        first = checkout(port, token, context, barcode, key)
        again = checkout(port, token, context, barcode, key)
        assert first == again and first[0] == 201
    finally:
        server.terminate()
        server.wait()
    with sqlite3.connect(tmp_path / "libdesk.sqlite3") as db:
        loans_of_item = db.execute(
            "SELECT count(*) FROM circulation_loan l JOIN catalog_item i ON i.id = l.item_id "
            "WHERE i.barcode = ?",
            (barcode,),
        ).fetchone()[0]
    assert loans_of_item == 1
    libdesk(tmp_path, "audit", "verify")
