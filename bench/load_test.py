"""Load test: `libdesk run` on loopback under Locust (headless, bounded in time), with the
250,000-record catalogue and 100,000 items.

    .venv/bin/pip install -e '.[bench]'          # locust (with gevent) and py-spy
    .venv/bin/python bench/load_test.py DIR [--users 50,200] [--time 60] [--wait 0.05,0.15]

DIR is a data directory; what it lacks is built as circulation_bench.py builds it (demo
library, the LC file, 100,000 items, 2,000 patrons). With LIBDESK_DATABASE_URL set to a
PostgreSQL database (an empty one made for the run) the library lives there.

The preparation, through the services: LOAD_PATRONS patrons registered with a PIN by the
clerk (`patrons.services.register_patron`), so that each simulated patron signs in once with a
card of its own; a clerk's API token (`libdesk tokens create clerk --workstation
MAIN-DESK-1`). Every request comes from 127.0.0.1, so the per-address limits are raised for
the run and the script says so: LIBDESK_SEARCH_LIMIT in `libdesk run`'s environment, and the
`patron-sign-in` rule row (the library's setting, edited as in the admin) in the database.

For each number of users: `libdesk run --bind 127.0.0.1` (as shipped: web processes, worker,
index follower, checkpointer on SQLite), a short warm-up, then
`locust --headless -u N -r N/5 -t TIME` with bench/locustfile.py. Printed: Locust's figures
per kind of request and in all (requests/s, p50/p95/p99, failures), the CPU time of libdesk's
processes, of Locust and of the whole machine per request (from /proc), the database's time
(PostgreSQL: pg_stat_database's transactions and active time; both: the share of the web
processes' busy samples spent in database calls, from a py-spy profile), and the load average.
Results (Locust's CSV files, the profiles, libdesk's output) go to a temporary directory,
named at the end.
"""

from __future__ import annotations

import csv
import http.client
import json
import linecache
import os
import random
import re
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

from circulation_bench import build, setup_django

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
LOAD_PATRONS = 400  # more than the patrons among 200 users (2 in 9)
PIN = "482916"
RAISED = {"LIBDESK_SEARCH_LIMIT": "1000000000"}
SIGN_IN_ATTEMPTS = 1_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")
IDLE_SECONDS = 5
RNG = random.Random(7)  # noqa: S311  (benchmark draws)


def option(args: list[str], name: str, default: str) -> str:
    return args[args.index(name) + 1] if name in args else default


# ---------------------------------------------------------------- preparation (services)
def prepare(data_dir: str) -> dict:
    """Patrons, the sign-in limit and the fixed parts of the plan the locustfile reads."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.catalog.models import Record
    from libdesk.core.models import RateLimitRule
    from libdesk.core.ratelimit import ensure_default_rules
    from libdesk.patrons import services
    from libdesk.patrons.models import Patron

    ensure_default_rules()
    RateLimitRule.objects.filter(form="patron-sign-in").update(attempts=SIGN_IN_ATTEMPTS)
    clerk = StaffUser.objects.get(username="clerk")
    desk = Workstation.objects.get(name="MAIN-DESK-1")
    cards = [f"27{n:012d}" for n in range(LOAD_PATRONS)]  # the demo's are 29...
    have = set(Patron.objects.filter(card_number__in=cards).values_list("card_number", flat=True))
    started = time.perf_counter()
    for n, card in enumerate(cards):
        if card not in have:
            services.register_patron(
                clerk,
                desk,
                services.PatronDetails(
                    name=f"Load Patron {n}",
                    card_number=card,
                    category="adult",
                    home_branch="MAIN",
                    card_expires=date(2035, 1, 1),
                    email=f"load{n}@example.org",
                    pin=PIN,
                ),
            )
    if len(have) < len(cards):
        print(
            f"registered {len(cards) - len(have)} patrons through register_patron "
            f"in {time.perf_counter() - started:.0f} s"
        )
    queries = (BENCH / "search_queries.txt").read_text().splitlines()
    record_ids = list(Record.objects.values_list("pk", flat=True))
    return {
        "queries": queries,
        "records": RNG.sample(record_ids, min(20_000, len(record_ids))),
        "patrons": [[card, PIN] for card in cards],
        "served_cards": [f"28{n:012d}" for n in range(2_000)],
    }


def copies(plan: dict) -> None:
    """The copies the desk lends (MAIN's available bench copies whose barcode ends in 0-4) and
    the titles patrons hold (those of the bench copies ending in 5-9, which the desk never
    lends, so a return never fills a patron's hold), read afresh before each run."""
    from libdesk.catalog.models import Item

    bench = Item.objects.filter(barcode__startswith="5").values_list(
        "barcode", "record_id", "branch__code", "status"
    )
    lend, hold = [], []
    for barcode, record_id, branch, status in bench:
        if barcode[-1] in "01234":
            if branch == "MAIN" and status == "available":
                lend.append(barcode)
        else:
            hold.append(record_id)
    RNG.shuffle(lend)
    plan["copies"] = lend
    plan["hold_records"] = hold[:20_000]
    _cancel_left_holds(plan)


def _cancel_left_holds(plan: dict) -> None:
    """A run ends with some patrons holding a title; the next run's patrons start with the
    same cards and the same draws, so those holds are cancelled first, by the clerk at the
    desk through the service (otherwise a patron would be refused a hold it already has)."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.models import QUEUED_HOLD, Hold
    from libdesk.circulation.services.holds import cancel_hold

    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    cards = [card for card, _ in plan["patrons"]]
    left = Hold.objects.filter(patron__card_number__in=cards, status__in=QUEUED_HOLD)
    for hold in left:
        cancel_hold(desk, hold)


def staff_token(env: dict) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "libdesk",
            "tokens",
            "create",
            "clerk",
            "--workstation",
            "MAIN-DESK-1",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"bearer token .*: (\S+)", done.stdout).group(1)


# ---------------------------------------------------------------- measures
def cpu_of_tree(root: int) -> float:
    """CPU seconds of `root` and its live descendants, with what they reaped (c-times)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(f) for f in fields[11:15]) / CLK_TCK
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(times.get(pid, 0.0) for pid in tree)


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (every core), from /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLK_TCK


def pg_stats() -> dict | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit + xact_rollback, active_time, blks_read, blks_hit "
            "FROM pg_stat_database WHERE datname = current_database()"
        )
        transactions, active_ms, read, hit = cursor.fetchone()
    connection.close()
    return {"transactions": transactions, "active_ms": active_ms, "read": read, "hit": hit}


def descendants(root: int, word: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if word in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return [pid for pid in found if _has_ancestor(pid, root)]


def _has_ancestor(pid: int, root: int) -> bool:
    while pid > 1:
        if pid == root:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat[stat.rindex(")") + 2 :].split()[1])
    return False


SEARCH_PATHS = [Path(sysconfig.get_paths()["purelib"]), ROOT / "src", Path("/")]


def _source_line(frame: str) -> tuple[str, str]:
    match = re.match(r"(.*) \((.*):(\d+)\)$", frame.strip())
    if not match:
        return frame, ""
    function, path, line = match.groups()
    for base in SEARCH_PATHS:
        candidate = base / path.lstrip("/") if not path.startswith("/") else Path(path)
        text = linecache.getline(str(candidate), int(line))
        if text:
            return f"{function} ({path})", text.strip()
    return f"{function} ({path})", ""


def profile_share(raw_files: list[Path]) -> tuple[int, int, list[tuple[str, int]]]:
    """Of the web threads' samples while serving a request (py-spy --idle, so waits count:
    the request's own time), how many were in a database call: a driver call (execute,
    fetch, commit, rollback, connect, close) as the innermost Python frame, or psycopg."""
    busy = in_db = 0
    leaves: dict[str, int] = {}
    for raw in raw_files:
        if not raw.exists():
            continue
        for line in raw.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit() or "WSGITask.execute" not in stack:
                continue
            leaf, text = _source_line(stack.split(";")[-1])
            busy += int(count)
            if "psycopg" in stack or re.search(
                r"\.(execute|executemany|fetch\w*|commit|rollback|connect|close)\(", text
            ):
                in_db += int(count)
                leaves[leaf] = leaves.get(leaf, 0) + int(count)
    return busy, in_db, sorted(leaves.items(), key=lambda kv: -kv[1])[:5]


# ---------------------------------------------------------------- one run
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"libdesk run did not answer on 127.0.0.1:{port} within {seconds:.0f} s")


def warm_up(port: int, plan: dict) -> None:
    """Each web process opens its index and compiles its statements before the clock runs."""
    paths = [f"/api/v1/catalog/search?{urlencode({'q': q})}" for q in plan["queries"][:60]]
    paths += [f"/records/{record}/" for record in plan["records"][:60]]
    for path in paths:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        connection.getresponse().read()
        connection.close()


def run_once(users: int, seconds: int, wait: str, plan: dict, env: dict, out: Path) -> dict:
    from django.db import connection

    copies(plan)
    connection.close()
    plan["staff_token"] = staff_token(env)
    plan_file = out / "plan.json"
    plan_file.write_text(json.dumps(plan))
    port = free_port()
    log = (out / f"libdesk-run-{users}.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "libdesk",
            "run",
            "--bind",
            "127.0.0.1",
            "--web-port",
            str(port),
            "--sip2-port",
            "0",
        ],
        env={**env, **RAISED},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(port, 120)
        warm_up(port, plan)
        time.sleep(2)
        # what libdesk costs with nobody asking (worker, index follower, checkpointer polling)
        idle_db, idle_cpu, idle_started = pg_stats(), cpu_of_tree(server.pid), time.monotonic()
        time.sleep(IDLE_SECONDS)
        idle_wall = time.monotonic() - idle_started
        idle = {"cpu": (cpu_of_tree(server.pid) - idle_cpu) / idle_wall}
        if idle_db:
            time.sleep(1.5)
            after_idle = pg_stats()
            idle["transactions"] = (after_idle["transactions"] - idle_db["transactions"]) / (
                time.monotonic() - idle_started
            )
        prefix = out / f"u{users}"
        spawn = max(1, users // 5)
        profile = out / f"pyspy-u{users}.txt"
        db_before, cpu_before, machine_before = pg_stats(), cpu_of_tree(server.pid), machine_busy()
        started = time.monotonic()
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(BENCH / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(spawn),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "5",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**env, "LIBDESK_LOAD_PLAN": str(plan_file), "LIBDESK_LOAD_WAIT": wait},
            stdout=(out / f"locust-{users}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        spy = threading.Thread(target=profile_web, args=(server.pid, profile, seconds), daemon=True)
        spy.start()
        usage = reap(locust, deadline=time.monotonic() + seconds + 90)
        wall = time.monotonic() - started
        cpu_after, machine_after = cpu_of_tree(server.pid), machine_busy()
        load = os.getloadavg()
        spy.join(timeout=30)
        time.sleep(1.5)  # PostgreSQL publishes its counters at most once a second
        db_after = pg_stats()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    rows = read_stats(prefix)
    total = rows["Aggregated"]
    requests = max(1, total["count"])
    locust_cpu = usage.ru_utime + usage.ru_stime
    busy, in_db, leaves = profile_share([profile])
    result = {
        "users": users,
        "rows": rows,
        "wall": wall,
        "load": load,
        "libdesk_cpu_ms": (cpu_after - cpu_before) / requests * 1000,
        "idle": idle,
        "locust_cpu_ms": locust_cpu / requests * 1000,
        "machine_cpu_ms": (machine_after - machine_before) / requests * 1000,
        "machine_util": (machine_after - machine_before) / (wall * os.cpu_count()),
        "db_share": in_db / busy if busy else float("nan"),
        "profile_samples": busy,
        "db_leaves": leaves,
        "failures": read_failures(prefix),
    }
    if db_before and db_after:
        result["pg"] = {key: (db_after[key] - db_before[key]) / requests for key in db_before}
    return result


def reap(process: subprocess.Popen, deadline: float):
    """Wait for Locust (killed past the deadline) and return its own resource usage."""
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.5)


def profile_web(run_pid: int, output: Path, seconds: int) -> None:
    """py-spy on the web service (its processes), a third of the way in, for a third of the
    run; sampling at 50 Hz, without pausing the processes."""
    time.sleep(seconds / 3)
    webs = descendants(run_pid, "serve_web")
    roots = [pid for pid in webs if not any(_parent(pid) == other for other in webs)]
    if not roots:
        return
    subprocess.run(
        [
            str(VENV_BIN / "py-spy"),
            "record",
            "--pid",
            str(roots[0]),
            "--subprocesses",
            "--idle",
            "--nonblocking",
            "--rate",
            "50",
            "--duration",
            str(max(5, seconds // 3)),
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        capture_output=True,
        check=False,
        timeout=seconds + 60,
    )


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def read_stats(prefix: Path) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rate": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return rows


def read_failures(prefix: Path) -> list[str]:
    """Failed requests, and exceptions raised in the locustfile's tasks (errors too)."""
    failed = _csv_lines(
        Path(f"{prefix}_failures.csv"),
        lambda row: f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error'][:160]}",
    )
    raised = _csv_lines(
        Path(f"{prefix}_exceptions.csv"),
        lambda row: f"{row['Count']} x exception in a task: {row['Message'][:160]}",
    )
    return failed + raised


def _csv_lines(path: Path, line) -> list[str]:
    """One line per row of a Locust CSV file, none when Locust wrote no such file."""
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [line(row) for row in csv.DictReader(handle)]


def report(result: dict, database: str, wait: str) -> None:
    print(
        f"\n== {result['users']} users, {database}, think time {wait} s, "
        f"{result['wall']:.0f} s; load average {result['load'][0]:.2f} (1 min) =="
    )
    print(f"{'request':<28} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for name, row in sorted(result["rows"].items(), key=lambda kv: kv[0] == "Aggregated"):
        print(
            f"{name:<28} {row['count']:>7} {row['failures']:>5} {row['rate']:>7.1f} "
            f"{row['p50']:>6.0f} {row['p95']:>6.0f} {row['p99']:>6.0f}"
        )
    print(
        f"CPU per request: libdesk's processes {result['libdesk_cpu_ms']:.2f} ms, Locust "
        f"{result['locust_cpu_ms']:.2f} ms, whole machine {result['machine_cpu_ms']:.2f} ms "
        f"(machine busy {result['machine_util']:.0%} of {os.cpu_count()} cores); idle, "
        f"libdesk's processes use {result['idle']['cpu'] * 1000:.0f} ms of CPU a second"
        + (
            f" and make {result['idle']['transactions']:.1f} transactions a second"
            if "transactions" in result["idle"]
            else ""
        )
    )
    if "pg" in result:
        pg = result["pg"]
        print(
            f"PostgreSQL per request: {pg['transactions']:.2f} transactions, active time "
            f"{pg['active_ms']:.2f} ms, {pg['hit'] + pg['read']:.0f} blocks "
            f"({pg['read']:.2f} read from outside shared buffers)"
        )
    print(
        f"request time in database calls: {result['db_share']:.0%} "
        f"(py-spy, {result['profile_samples']} samples); top: "
        + ", ".join(f"{leaf} {n}" for leaf, n in result["db_leaves"][:3])
    )
    print(f"failures and task exceptions: {len(result['failures'])} kinds")
    for failure in result["failures"][:8]:
        print("  failure:", failure)


def main(args: list[str]) -> None:
    data_dir = args[0]
    users = [int(n) for n in option(args, "--users", "50,200").split(",")]
    seconds = int(option(args, "--time", "60"))
    wait = option(args, "--wait", "0.05,0.15")
    os.environ["LIBDESK_DATA_DIR"] = data_dir
    database = os.environ.get("LIBDESK_DATABASE_URL", f"SQLite in {data_dir}")
    build(data_dir)
    setup_django()
    out = Path(tempfile.mkdtemp(prefix="libdesk-load-"))
    env = {**os.environ, "LIBDESK_DATA_DIR": data_dir}
    plan = prepare(data_dir)
    from django.conf import settings

    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    web = f"{settings.LIBDESK['WEB_PROCESSES']} x {settings.LIBDESK['WEB_THREADS']} threads"
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, database "
        f"{database}, cache {cache}, web processes {web}; limits raised for the run: "
        f"LIBDESK_SEARCH_LIMIT={RAISED['LIBDESK_SEARCH_LIMIT']}"
        f" (per 60 s), patron-sign-in rule {SIGN_IN_ATTEMPTS:,} attempts per window; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    for count in users:
        report(run_once(count, seconds, wait, plan, env, out), database, wait)
    print(f"\nLocust CSV files, profiles and libdesk's output: {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
