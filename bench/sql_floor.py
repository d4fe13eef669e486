"""How fast a checkout could be if its statements ran without the ORM building them: the
measurement behind the proposal in bench/README.md (not code libdesk runs).

    .venv/bin/python bench/sql_floor.py DIR     # DIR: a circulation_bench.py data directory

It records the (sql, params) the real checkout service sends for one checkout, then replays
exactly those statements on a raw cursor, 500 times, each time in a transaction that is rolled
back (so the data directory is left as it was). A commit's cost is measured on its own: one
row written and committed on a scratch table, with the same SQLite settings (WAL, FULL).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

ROUNDS = 500


def percentiles(samples: list[float]) -> str:
    cut = statistics.quantiles(sorted(samples), n=100)
    return f"p50 {cut[49]:.2f} ms  p95 {cut[94]:.2f} ms"


def record_one_checkout() -> list[tuple[str, tuple]]:
    from circulation_bench import available_barcodes, desk
    from django.db import connection, transaction

    from libdesk.circulation import services
    from libdesk.patrons.models import Patron

    counter = desk()
    patron = Patron.objects.filter(card_number__startswith="28").first()
    barcode = available_barcodes(1)[0]
    statements: list[tuple[str, tuple]] = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(keep):
            services.checkout(counter, patron, barcode)
        transaction.set_rollback(True)
    return [
        (sql, params) for sql, params in statements if not sql.startswith(("SAVEPOINT", "RELEASE"))
    ]


def replay(statements) -> list[float]:
    from django.db import connection

    raw = connection.connection  # the sqlite3 connection under Django
    cursor = raw.cursor()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        cursor.execute("BEGIN IMMEDIATE")
        for sql, params in statements:
            cursor.execute(sql.replace("%s", "?"), params)
            cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
        cursor.execute("ROLLBACK")
    return samples


def commits() -> list[float]:
    from django.db import connection

    cursor = connection.connection.cursor()
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (n integer)")
    samples = []
    for n in range(ROUNDS):
        started = time.perf_counter()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("INSERT INTO bench_commit (n) VALUES (?)", (n,))
        cursor.execute("COMMIT")
        samples.append((time.perf_counter() - started) * 1000)
    cursor.execute("DROP TABLE bench_commit")
    return samples


def main(data_dir: str) -> None:
    os.environ["LIBDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "sqlite":
        raise SystemExit("this measurement is written for the SQLite default")
    statements = record_one_checkout()
    connection.ensure_connection()
    print(f"one checkout sends {len(statements)} statements (BEGIN and COMMIT included)")
    body = [s for s in statements if s[0] not in ("BEGIN IMMEDIATE", "COMMIT")]
    print("those statements, raw cursor, rolled back:", percentiles(replay(body)))
    print("one write committed (WAL, synchronous=FULL):", percentiles(commits()))


if __name__ == "__main__":
    main(sys.argv[1])
