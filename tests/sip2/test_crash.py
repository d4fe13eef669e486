"""kill -9 of the SIP2 server, three times, while kiosks work (issue 14). Each kiosk resends
its last unanswered message after it reconnects and logs in again; at the end every checkout,
check-in and renewal a kiosk was told about is in the database exactly once (one loan per
acknowledged checkout, one closed loan per acknowledged check-in, the due date of the last
acknowledged renewal, one audit entry each), and the audit chain still verifies."""

from __future__ import annotations

import random
import threading
import time

import pytest

from tests.cli.test_libdesk_command import libdesk
from tests.sip2.server_process import (
    Items,
    LedgerKiosk,
    Server,
    check_ledgers,
    database,
    extra_patrons,
    item,
    prepare_library,
    run_kiosk,
)

pytestmark = [pytest.mark.slow, pytest.mark.once]

CLIENTS, SECONDS, KILLS = 6, 45, (8, 19, 30)  # kill -9 at these seconds into the run
PATRONS = extra_patrons(CLIENTS, first=29000000400001)
CARDS = sorted(PATRONS)
POOLS = {k: [item(k * 6 + n) for n in range(6)] for k in range(CLIENTS)}
OLD = {item(80 + k): k for k in range(CLIENTS)}  # ten days old: renewals extend them


def test_kill_9_three_times_loses_no_acknowledged_operation_and_doubles_none(tmp_path):
    library = prepare_library(
        tmp_path / "library",
        patrons=PATRONS,
        old_loans=[(CARDS[k], barcode, 10) for barcode, k in OLD.items()],
    )
    items = Items({k: list(pool) for k, pool in POOLS.items()}, OLD)
    errors: list = []
    server = Server(library).start()
    kiosks = [
        LedgerKiosk(lambda: server.port, k, CARDS[k], PATRONS[CARDS[k]], random.Random(100 + k))
        for k in range(CLIENTS)
    ]
    started = time.monotonic()
    deadline = started + SECONDS
    threads = [
        threading.Thread(target=run_kiosk, args=(kiosk, items, deadline, errors, CLIENTS, 0.0))
        for kiosk in kiosks
    ]
    for thread in threads:
        thread.start()
    restarts = []
    try:
        for at in KILLS:
            time.sleep(max(0.0, started + at - time.monotonic()))
            server.kill()
            down = time.monotonic()
            server.start()  # the same port, the same data dir
            restarts.append(time.monotonic() - down)
        for thread in threads:
            thread.join(SECONDS + 180)
        assert not any(thread.is_alive() for thread in threads), "a kiosk hung"
        assert server.alive, "".join(server.output)
    finally:
        server.stop()
    assert errors == [], errors
    totals: dict[str, int] = {}
    for kiosk in kiosks:
        for what, n in kiosk.counts.items():
            totals[what] = totals.get(what, 0) + n
    figures = check_ledgers(
        database(library), kiosks, {barcode: CARDS[k] for barcode, k in OLD.items()}
    )
    libdesk(library, "audit", "verify")
    print(f"\nSIP2 crash: {CLIENTS} kiosks, {SECONDS} s, kill -9 at {KILLS} s")
    print("  restarts took " + ", ".join(f"{s:.1f} s" for s in restarts))
    for what in sorted(totals):
        print(f"  {what}: {totals[what]}")
    print(f"  database: {figures}")
    assert totals.get("resent after a broken connection", 0) >= 1, totals
    assert totals.get("checkouts", 0) >= 20 and totals.get("check-ins", 0) >= 10, totals
