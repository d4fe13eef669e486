"""A soak sized for CI (issue 14): 8 self-check machines for 60 seconds against one server
process, each for its own patron: patron information with the PIN, checkouts, renewals, and
check-ins of the next machine's loans (an automated return). One response in twenty is "lost":
the kiosk sends the identical frame again (same AY and AZ: it must get the identical bytes) or
reconnects, logs in and sends it again (which must be harmless). Every kiosk keeps a ledger of
what the server acknowledged; at the end the database must hold exactly that: no acknowledged
loan lost, none made twice, at most one open loan per item, every acknowledged check-in closed
its loan, and each checkout and renewal audited once."""

from __future__ import annotations

import random
import threading
import time

import pytest

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

CLIENTS, SECONDS, LOSS = 8, 60, 0.05
PATRONS = extra_patrons(CLIENTS, first=29000000300001)
CARDS = sorted(PATRONS)
POOLS = {k: [item(k * 6 + n) for n in range(6)] for k in range(CLIENTS)}
# Each patron also has a loan from ten days ago, which a renewal extends (one lent today
# would gain no time, and is refused with the reason).
OLD = {item(80 + k): k for k in range(CLIENTS)}


def test_eight_kiosks_for_a_minute_lose_nothing_and_double_nothing(tmp_path):
    library = prepare_library(
        tmp_path / "library",
        patrons=PATRONS,
        old_loans=[(CARDS[k], barcode, 10) for barcode, k in OLD.items()],
    )
    pools = {k: list(pool) for k, pool in POOLS.items()}
    items = Items(pools, OLD)
    errors: list = []
    with Server(library) as server:
        kiosks = [
            LedgerKiosk(lambda: server.port, k, CARDS[k], PATRONS[CARDS[k]], random.Random(k))
            for k in range(CLIENTS)
        ]
        started = time.monotonic()
        deadline = started + SECONDS
        threads = [
            threading.Thread(target=run_kiosk, args=(kiosk, items, deadline, errors, CLIENTS, LOSS))
            for kiosk in kiosks
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 120)
        elapsed = time.monotonic() - started
        assert not any(thread.is_alive() for thread in threads), "a kiosk hung"
        assert server.alive, "".join(server.output)
    assert errors == [], errors
    totals: dict[str, int] = {}
    for kiosk in kiosks:
        for what, n in kiosk.counts.items():
            totals[what] = totals.get(what, 0) + n
    figures = check_ledgers(
        database(library), kiosks, {barcode: CARDS[k] for barcode, k in OLD.items()}
    )
    print(f"\nSIP2 soak: {CLIENTS} kiosks, {elapsed:.0f} s, {LOSS:.0%} of responses lost")
    for what in sorted(totals):
        print(f"  {what}: {totals[what]}")
    requests = sum(totals.values())
    print(f"  about {requests / elapsed:.0f} operations a second; database: {figures}")
    assert totals.get("checkouts", 0) >= 50 and totals.get("check-ins", 0) >= 30, totals
    assert totals.get("renewals granted", 0) >= 1, totals
    assert totals.get("lost, retransmitted", 0) and totals.get("lost, reconnected and resent", 0)
