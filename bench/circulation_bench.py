"""Circulation benchmark: checkout, and placing a hold then filling it on return, with the
250,000-record catalogue and 100,000 items.

    .venv/bin/python bench/circulation_bench.py [DIR]

DIR is a data directory; the script builds what it lacks: the demo library, then the 250,000
LC records from ../shared/data, then 100,000 items and 2,000 patrons (a directory kept by
`import_bench.py --demo --keep DIR` gets only the items and patrons). Figures are p50/p95/p99
in milliseconds, through the service layer and through the HTTP API (waitress).

With LIBDESK_DATABASE_URL set to a PostgreSQL database (an empty one made for the run), the
library is built and measured there; DIR then holds the search index.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from webserver import checkpointer, web_server

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "loc-books-2016-part01.mrc.xz"
ITEMS, PATRONS, SAMPLES = 100_000, 2_000, 1_000
RNG = random.Random(5)  # noqa: S311  (benchmark draws, the same every run)


def libdesk(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "libdesk", *args], check=True)


def percentiles(samples: list[float]) -> str:
    cut = statistics.quantiles(sorted(samples), n=100)
    return f"p50 {cut[49]:.2f} ms  p95 {cut[94]:.2f} ms  p99 {cut[98]:.2f} ms  (n={len(samples)})"


def build(data_dir: str) -> None:
    """What the directory (and its database) lacks: the demo library, the catalogue, then the
    items and the patrons."""
    setup_django()
    from django.db import DatabaseError, connection

    try:
        from libdesk.demo.loader import library_holds_data

        has_library = library_holds_data()
    except DatabaseError:  # not migrated yet
        connection.close()
        has_library = False
    if not has_library:
        libdesk("migrate", "-v", "0")
        libdesk("demo", "load")
    from libdesk.catalog.models import Item, Record
    from libdesk.library.models import Branch
    from libdesk.patrons.models import Patron

    before = Record.objects.count()
    if before < 250_000:
        started = time.perf_counter()
        libdesk("catalog", "import", str(SOURCE))
        elapsed = time.perf_counter() - started
        added = Record.objects.count() - before
        print(f"imported {added:,} records in {elapsed:.0f} s ({added / elapsed:,.0f}/s)")
    if Item.objects.filter(barcode__startswith="5").exists():
        return

    branches = list(Branch.objects.all())
    record_ids = list(Record.objects.order_by("pk").values_list("pk", flat=True)[:ITEMS])
    Item.objects.bulk_create(
        (
            Item(
                barcode=f"5{n:013d}",
                record_id=pk,
                branch=branches[n % len(branches)],
                call_number=f"{n % 1000:03d}",
            )
            for n, pk in enumerate(record_ids)
        ),
        batch_size=5000,
    )
    now = __import__("libdesk.core.clock", fromlist=["now"]).now()
    Patron.objects.bulk_create(
        (
            Patron(
                card_number=f"28{n:012d}",
                name=f"Bench Patron {n}",
                email=f"p{n}@example.org",
                category="adult",
                home_branch=branches[0],
                card_expires=date(2035, 1, 1),
                registered_at=now,
            )
            for n in range(PATRONS)
        ),
        batch_size=2000,
    )
    # Loaded here without the items import, so its statistics refresh is done here too
    # (PostgreSQL; this machine's server runs with autovacuum off).
    from libdesk.core.planner import refresh_statistics

    refresh_statistics(Item, Patron, written=ITEMS)
    print(f"{Item.objects.count():,} items, {Patron.objects.count():,} patrons")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    import django

    django.setup()


def desk():
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation.desk import Desk

    return Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )


def available_barcodes(count: int) -> list[str]:
    from libdesk.catalog.models import Item

    barcodes = list(
        Item.objects.filter(status="available", barcode__startswith="5").values_list(
            "barcode", flat=True
        )[:50_000]
    )
    return RNG.sample(barcodes, count)


def service_checkouts() -> list[float]:
    from libdesk.circulation import services
    from libdesk.patrons.models import Patron

    patrons = list(Patron.objects.filter(card_number__startswith="28")[:PATRONS])
    counter, samples = desk(), []
    for barcode in available_barcodes(SAMPLES):
        patron = RNG.choice(patrons)
        started = time.perf_counter()
        services.checkout(counter, patron, barcode)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def holds_filled_on_return() -> tuple[list[float], list[float], list[float]]:
    """A patron holds a title whose only copy is out; the copy comes back and is captured."""
    from libdesk.circulation import services
    from libdesk.patrons.models import Patron

    counter = desk()
    patrons = list(Patron.objects.filter(card_number__startswith="28")[:PATRONS])
    placing, returning, both = [], [], []
    for barcode in available_barcodes(SAMPLES):
        borrower, holder = RNG.sample(patrons, 2)
        loan = services.checkout(counter, borrower, barcode).loan
        started = time.perf_counter()
        services.place_hold(counter, holder, pickup_branch=counter.branch, record=loan.item.record)
        placed = time.perf_counter()
        result = services.checkin(counter, barcode)
        done = time.perf_counter()
        assert result.hold is not None
        placing.append((placed - started) * 1000)
        returning.append((done - placed) * 1000)
        both.append((done - started) * 1000)
    return placing, returning, both


def open_context(connection, headers: dict, card: str) -> str:
    """The desk scans a card: staff act for that patron inside this serving context."""
    body = json.dumps({"patron_card": card, "basis": "card_presented"})
    connection.request("POST", "/api/v1/serving", body, headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 201, answer
    return answer["id"]


def api_checkouts(data_dir: str) -> list[float]:
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.api.tokens import issue_staff_token

    token = issue_staff_token(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    ).bearer
    cards = [f"28{n:012d}" for n in range(PATRONS)]
    barcodes = available_barcodes(SAMPLES + 50)
    with web_server(data_dir) as connection:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        contexts = [open_context(connection, headers, card) for card in cards]
        samples = []
        for n, barcode in enumerate(barcodes):
            body = json.dumps({"item_barcode": barcode})
            started = time.perf_counter()
            connection.request(
                "POST",
                "/api/v1/circulation/checkout",
                body,
                {
                    **headers,
                    "Idempotency-Key": f"bench-{barcode}",
                    "X-Serving-Context": RNG.choice(contexts),
                },
            )
            response = connection.getresponse()
            response.read()
            assert response.status == 201, response.status
            if n >= 50:  # the first 50 warm up
                samples.append((time.perf_counter() - started) * 1000)
        return samples


def main(data_dir: str) -> None:
    os.environ["LIBDESK_DATA_DIR"] = data_dir
    print(f"database: {os.environ.get('LIBDESK_DATABASE_URL', 'SQLite in ' + data_dir)}")
    build(data_dir)
    from libdesk.catalog.models import Item, Record

    print(f"{Record.objects.count():,} records, {Item.objects.count():,} items")
    with checkpointer(data_dir):  # as under `libdesk run`
        print("checkout, service layer:        ", percentiles(service_checkouts()))
        placing, returning, both = holds_filled_on_return()
        print("place a hold, service layer:    ", percentiles(placing))
        print("return that fills it:           ", percentiles(returning))
        print("place + fill on return:         ", percentiles(both))
        print("checkout, HTTP API (waitress):  ", percentiles(api_checkouts(data_dir)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="libdesk-circ-"))
