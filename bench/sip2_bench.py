"""SIP2 benchmark: kiosk checkouts (11 -> 12) over loopback, beside the service layer's.

    .venv/bin/python bench/sip2_bench.py DIR [--concurrent 32] [--per-connection 40]
                                             [--seconds 30] [--samples 1000] [--what-if]

DIR is a data directory; when it is empty `circulation_bench.py`'s build makes it (the demo
library, the 250,000 LC records, 100,000 items, 2,000 patrons). In one run, on SQLite with the
WAL checkpointer beside it (as `libdesk run` starts it):

1. checkout through the service layer, exactly as `circulation_bench.py` measures it (its own
   function), and the one-at-a-time rate that implies (checkouts per second);
2. the real `libdesk sip2` process on a free loopback port, a terminal account made for the
   bench (before the server starts), and SIP2 checkouts one connection at a time: error
   detection on (every frame with AY and AZ), kiosk sessions of `--per-connection` items, the
   patron's PIN verified once per session (23 with AD), only the 11 -> 12 round trips timed;
3. `--concurrent` connections at once (asyncio in this process), each its own kiosk session
   (terminal login and PIN verified before the clock starts), checking out distinct items
   until each has done `--per-connection` or `--seconds` have passed: the total rate against
   the service layer's, then the database read back: every acknowledged checkout (ok=1) has
   exactly one open loan, to its patron, and no loan exists that was not acknowledged;
4. where one SIP2 checkout's time goes, in this process on the same data: `server.respond`
   called directly on a KioskSession after a login and a PIN check, its pieces timed by
   wrappers (the codec, the connection, the terminal re-read, identification, the service
   call split into its SQL, its commit and its Python), as the server runs it and with the
   database connection kept between messages, then a cProfile of the same;
5. with `--what-if`: 200 checkouts on one connection and the concurrent run again on servers
   started from the same code with other knobs (worker threads; the connection kept), each
   read back like the first; then the service layer once more.

A kiosk session stays under the loan rule's limit (50 items for adults), so 32 connections
check out 32 x 40 = 1,280 items: on the 2-core VM that ends well before `--seconds`. A frame
answered 96 ("please resend") is resent, as a kiosk does, and counted.

The bench patrons get one PIN (one argon2 hash, written with the model): every check is still a
full argon2 verification, which is why each kiosk session verifies it once. Each run leaves its
loans behind: start each from a copy (`cp -a`) of a built directory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import circulation_bench as circulation
from webserver import checkpointer

TERMINAL_LOGIN, TERMINAL_PASSWORD = "bench-kiosk", "bench-kiosk-password"
INSTITUTION, BRANCH = "KPL", "MAIN"
PIN = "4711"  # every bench patron's, set before the server starts
WARM_UP = 20  # SIP2 checkouts before the measured ones (connection, caches)
IN_PROCESS = 300  # checkouts for the split of part 4 (and as many for the cProfile)
MAX_RESENDS = 5  # a kiosk resends a frame answered 96 (please resend) this many times
RESENDS: Counter[str] = Counter()  # by request code: frames the server answered 96
SERVER: dict[str, int] = {}  # the running server's process id
CPU: dict[str, float] = {}  # CPU seconds a checkout, of the last concurrent run
RNG = random.Random(14)  # noqa: S311  (benchmark draws, the same every run)


def stats(samples: list[float]) -> tuple[float, float, float]:
    cut = statistics.quantiles(sorted(samples), n=100)
    return cut[49], cut[94], cut[98]


# --- The wire, written here from the SIP2 2.00 text (not with libdesk's codec) -----------


def checksum(prefix: bytes) -> bytes:
    return b"%04X" % (-sum(prefix) & 0xFFFF)


def frame(body: str, seq: int) -> bytes:
    prefix = body.encode() + b"AY%dAZ" % seq
    return prefix + checksum(prefix) + b"\r"


def checksum_ok(response: bytes) -> bool:
    body = response.rstrip(b"\r\n")
    return body[-6:-4] == b"AZ" and (sum(body[:-4]) + int(body[-4:], 16)) & 0xFFFF == 0


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d    %H%M%S")


def login_body() -> str:
    return f"9300CN{TERMINAL_LOGIN}|CO{TERMINAL_PASSWORD}|CP{BRANCH}|"


def pin_body(card: str) -> str:
    """23 patron status with the PIN: the session's one verification."""
    return f"23001{stamp()}AO{INSTITUTION}|AA{card}|AC|AD{PIN}|"


def checkout_body(card: str, barcode: str) -> str:
    return f"11NN{stamp()}{' ' * 18}AO{INSTITUTION}|AA{card}|AB{barcode}|AC|"


def end_body(card: str) -> str:
    return f"35{stamp()}AO{INSTITUTION}|AA{card}|AC|"


def answered(request_code: str, response: bytes, seq: int) -> bytes:
    """The response, checked: its code, its checksum and our sequence number."""
    expected = {"93": b"94", "23": b"24", "11": b"12", "35": b"36"}[request_code]
    body = response.rstrip(b"\r")
    if not (body.startswith(expected) and checksum_ok(body) and body[-9:-6] == b"AY%d" % seq):
        raise AssertionError(f"unexpected answer to {request_code}: {response[:60]!r}")
    return body


def resend_asked(response: bytes) -> bool:
    """96: the server could not do it (nothing was done); a kiosk sends the frame again."""
    return response.startswith(b"96")


def checkout_ok(body: bytes) -> bool:
    return body[2:3] == b"1"


class Kiosk:
    """One terminal's blocking connection, for the one-at-a-time figures."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer, self.seq = b"", 0

    def ask(self, body: str) -> bytes:
        seq, self.seq = self.seq, (self.seq + 1) % 10
        data = frame(body, seq)
        for _ in range(MAX_RESENDS + 1):
            self.sock.sendall(data)
            while b"\r" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                self.buffer += chunk
            response, _, self.buffer = self.buffer.partition(b"\r")
            if not resend_asked(response):
                return answered(body[:2], response, seq)
            RESENDS[body[:2]] += 1
        raise AssertionError(f"{MAX_RESENDS} resends of a {body[:2]} answered 96")

    def close(self) -> None:
        self.sock.close()


# --- Set-up: the terminal and the PINs (before the server starts) -----------------------


def prepare_kiosk() -> None:
    from django.contrib.auth.hashers import check_password, make_password

    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.patrons.models import Patron
    from libdesk.sip2.models import Terminal
    from libdesk.sip2.services import TerminalSettings, create_terminal

    if not Terminal.objects.filter(login=TERMINAL_LOGIN).exists():
        create_terminal(
            StaffUser.objects.get(username="admin"),
            Workstation.objects.get(name="MAIN-DESK-1"),
            TERMINAL_LOGIN,
            TERMINAL_PASSWORD,
            TerminalSettings(institution=INSTITUTION, branch=BRANCH, name="Benchmark kiosk"),
        )
    bench = Patron.objects.filter(card_number__startswith="28")
    first = bench.order_by("pk").first()
    if not (first.pin_hash and check_password(PIN, first.pin_hash)):
        bench.update(pin_hash=make_password(PIN))


def max_items() -> int:
    from libdesk.catalog.models import MaterialType
    from libdesk.circulation.rules import rule_for

    return rule_for("adult", MaterialType.BOOK, None).max_items


def sessions(count: int, per_session: int, exclude: set[str]) -> list[tuple[str, int]]:
    """`count` bench patrons not in `exclude`, each with how many more items they may borrow
    (at most `per_session`, leaving two under the loan rule's limit)."""
    from libdesk.circulation.models import Loan
    from libdesk.patrons.models import Patron

    limit = max_items()
    cards = [
        card
        for card in Patron.objects.filter(card_number__startswith="28")
        .order_by("card_number")
        .values_list("card_number", flat=True)
        if card not in exclude
    ]
    chosen = []
    for card in RNG.sample(cards, len(cards)):
        held = Loan.objects.filter(patron__card_number=card, closed_at__isnull=True).count()
        room = min(per_session, limit - held - 2)
        if room > 0:
            chosen.append((card, room))
        if len(chosen) == count:
            return chosen
    raise SystemExit("not enough bench patrons with room to borrow: use a fresh copy of DIR")


def fresh_barcodes(count: int) -> list[str]:
    from libdesk.catalog.models import Item

    barcodes = list(
        Item.objects.filter(status="available", barcode__startswith="5").values_list(
            "barcode", flat=True
        )
    )
    if len(barcodes) < count:
        raise SystemExit(f"only {len(barcodes)} available items, {count} needed")
    return RNG.sample(barcodes, count)


# --- The server ---------------------------------------------------------------------------


# What-if servers: the same code (`libdesk.sip2.server`), started with other knobs, to measure
# a server change before anyone makes it. `workers` is Limits.workers; `keep` False closes and
# reopens each worker thread's database connection for every message, as the server did
# before this benchmark (it now keeps it).
WHAT_IF = """
import asyncio, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
django.setup()
from django.db import DatabaseError
from libdesk.sip2 import server
if not {keep}:  # as the server was before: the connection closed and opened per message
    from django.db import close_old_connections
    def closing(session, frame, _respond=server._respond):
        close_old_connections()
        return _respond(session, frame)
    server._respond = closing
def diagnosed(session, frame, _respond=server._respond):
    try:
        return _respond(session, frame)
    except DatabaseError as error:  # what the server's log line does not say (no data in it)
        print("DatabaseError:", type(error).__name__, str(error)[:80], flush=True)
        raise
server._respond = diagnosed
announce = lambda where: print("SIP2 server listening on", where, flush=True)
asyncio.run(server.Server(server.Limits(workers={workers})).serve("127.0.0.1", {port}, announce))
"""


@contextlib.contextmanager
def sip2_server(data_dir: str, workers: int = 0, keep: bool = False) -> Iterator[int]:
    """`libdesk sip2 --port N` on DATA_DIR (or, given `workers`, a what-if server); yields N
    once its banner is out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "libdesk", "sip2", "--port", str(port)]
    if workers:
        what_if = WHAT_IF.format(keep=keep, workers=workers, port=port)
        command = [sys.executable, "-c", what_if]
    process = subprocess.Popen(
        command,
        env={**os.environ, "LIBDESK_DATA_DIR": data_dir},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready, output = threading.Event(), []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            if f"listening on 127.0.0.1:{port}" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(120) or process.poll() is not None:
            raise SystemExit("the SIP2 server did not start:\n" + "".join(output))
        SERVER["pid"] = process.pid
        yield port
    finally:
        process.terminate()
        process.wait(30)
        noise = [line for line in output if "listening on" not in line]
        if noise:
            print("server output:", "".join(noise[-20:]), sep="\n")


# --- 2. One connection at a time ----------------------------------------------------------


def one_at_a_time(
    port: int, plan: list[tuple[str, int]], barcodes: list[str]
) -> tuple[list[float], list[tuple[str, str, bool]], list[float]]:
    """Kiosk sessions one after another on one connection; the round trip of each 11 (the
    first WARM_UP not kept), every answer, and each session's PIN check (23 with AD)."""
    kiosk = Kiosk(port)
    kiosk.ask(login_body())
    samples, ledger, pins = [], [], []
    todo = iter(barcodes)
    for card, room in plan:
        started = time.perf_counter()
        if b"|CQY|" not in kiosk.ask(pin_body(card)):
            raise AssertionError(f"the PIN of {card} was not accepted")
        pins.append((time.perf_counter() - started) * 1000)
        for _ in range(room):
            barcode = next(todo, None)
            if barcode is None:
                break
            started = time.perf_counter()
            body = kiosk.ask(checkout_body(card, barcode))
            elapsed = (time.perf_counter() - started) * 1000
            ledger.append((card, barcode, checkout_ok(body)))
            if len(ledger) > WARM_UP:
                samples.append(elapsed)
        kiosk.ask(end_body(card))
    kiosk.close()
    return samples, ledger, pins


# --- 3. Many connections at once ----------------------------------------------------------


async def _kiosk(port, card, barcodes, ready, start, clock, ledger, samples) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    seq = 0

    async def ask(body: str) -> bytes:
        nonlocal seq
        sent, seq = seq, (seq + 1) % 10
        data = frame(body, sent)
        for _ in range(MAX_RESENDS + 1):
            writer.write(data)
            response = await reader.readuntil(b"\r")
            if not resend_asked(response):
                return answered(body[:2], response, sent)
            RESENDS[body[:2]] += 1
        raise AssertionError(f"{MAX_RESENDS} resends of a {body[:2]} answered 96")

    try:
        if not (await ask(login_body())).startswith(b"941"):
            raise AssertionError("the terminal login was refused")
        if b"|CQY|" not in await ask(pin_body(card)):
            raise AssertionError(f"the PIN of {card} was not accepted")
        ready()
        await start.wait()
        for barcode in barcodes:
            if time.perf_counter() > clock["stop"]:
                break
            started = time.perf_counter()
            ok = checkout_ok(await ask(checkout_body(card, barcode)))
            done = time.perf_counter()
            ledger.append((card, barcode, ok))
            samples.append((done - started) * 1000)
            clock["last"] = max(clock["last"], done)
        await ask(end_body(card))
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def many_at_once(port: int, plan, barcodes: list[str], seconds: float):
    """Each kiosk its own session and its own barcodes; the clock runs from the moment all
    have logged in and verified their PIN to the last answer."""
    start, ledger, samples = asyncio.Event(), [], []
    clock = {"stop": float("inf"), "last": 0.0}
    waiting = len(plan)

    def ready() -> None:
        nonlocal waiting
        waiting -= 1
        if waiting == 0:
            clock["start"] = time.perf_counter()
            clock["cpu"] = cpu_seconds(SERVER["pid"]), time.process_time()
            clock["stop"] = clock["start"] + seconds
            start.set()

    tasks, at = [], 0
    for card, room in plan:
        mine, at = barcodes[at : at + room], at + room
        tasks.append(_kiosk(port, card, mine, ready, start, clock, ledger, samples))
    await asyncio.gather(*tasks)
    server_cpu = cpu_seconds(SERVER["pid"]) - clock["cpu"][0]
    client_cpu = time.process_time() - clock["cpu"][1]
    CPU["server"], CPU["client"] = server_cpu / len(samples), client_cpu / len(samples)
    return ledger, samples, clock["last"] - clock["start"]


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system, all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- Read back: nothing lost, nothing duplicated --------------------------------------------


def verify(ledger: list[tuple[str, str, bool]], since) -> dict[str, int]:
    """Every acknowledged checkout has exactly one open loan, to its patron; no refused one
    made a loan; the kiosk made no loan beyond those acknowledged."""
    from django.db.models import Count

    from libdesk.circulation.models import Loan, Via

    barcodes = [barcode for _, barcode, _ in ledger]
    open_loans: dict[str, list[str]] = {}
    rows = Loan.objects.filter(item__barcode__in=barcodes, closed_at__isnull=True).values_list(
        "item__barcode", "patron__card_number"
    )
    for barcode, card in rows:
        open_loans.setdefault(barcode, []).append(card)
    acknowledged = [(card, barcode) for card, barcode, ok in ledger if ok]
    refused = [barcode for _, barcode, ok in ledger if not ok]
    kiosk_loans = Loan.objects.filter(via=Via.KIOSK, checked_out_at__gte=since)
    repeated = (
        kiosk_loans.values("item_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )  # any item lent twice by the kiosk in this run
    return {
        "acknowledged": len(acknowledged),
        "refused": len(refused),
        "lost": sum(1 for _, barcode in acknowledged if not open_loans.get(barcode)),
        "duplicated": sum(1 for _, b in acknowledged if len(open_loans.get(b, ())) > 1) + repeated,
        "wrong patron": sum(
            1
            for card, b in acknowledged
            if len(open_loans.get(b, ())) == 1 and open_loans[b][0] != card
        ),
        "refused but lent": sum(1 for barcode in refused if open_loans.get(barcode)),
        "kiosk loans not acknowledged": kiosk_loans.count() - len(acknowledged),
    }


# --- 4. Where the time goes (in this process) ----------------------------------------------


class Split:
    """Per-checkout accumulators: wrapped functions add their time under a name; SQL and
    commits add theirs under the innermost wrapped function running."""

    def __init__(self) -> None:
        self.now: dict[str, float] = {}
        self.rows: list[dict[str, float]] = []
        self.inside: list[str] = []

    def add(self, name: str, seconds: float) -> None:
        self.now[name] = self.now.get(name, 0.0) + seconds * 1000

    def wrap(self, name: str, function: Callable, *, apart: bool = False) -> Callable:
        """`apart`: its time is taken out of whatever wrapped piece it ran inside (opening
        the connection happens inside the first query of the message)."""

        def timed(*args, **kwargs):
            outer = self.where()
            self.inside.append(name)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.add(name, elapsed)
                self.inside.pop()
                if apart and outer != "respond":
                    self.add(outer, -elapsed)

        return timed

    def where(self) -> str:
        return self.inside[-1] if self.inside else "respond"

    def sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.add(f"sql:{self.where()}", time.perf_counter() - started)
            self.add(f"statements:{self.where()}", 0.001)  # a count, in thousandths

    def next(self) -> None:
        self.rows.append(self.now)
        self.now = {}


@contextlib.contextmanager
def patched(target, name: str, value) -> Iterator[None]:
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)


def kiosk_session():
    """A KioskSession logged in through `respond`, as the server's first frame would."""
    from libdesk.sip2 import server
    from libdesk.sip2.session import KioskSession

    session = KioskSession()
    if not server.respond(session, frame(login_body(), 0)).startswith(b"941"):
        raise AssertionError("in-process login refused")
    return session


def run_sessions(session, plan, barcodes, seq_from=1, split=None, profile=None) -> list[float]:
    """Checkouts through `respond`, a PIN check opening each kiosk session; each one's time."""
    from libdesk.sip2 import server

    times, todo, seq = [], iter(barcodes), seq_from
    for card, room in plan:
        answer = server.respond(session, frame(pin_body(card), seq % 10))
        seq += 1
        if b"|CQY|" not in answer:
            raise AssertionError("in-process PIN refused")
        for _ in range(room):
            barcode = next(todo, None)
            if barcode is None:
                return times
            data = frame(checkout_body(card, barcode), seq % 10)
            seq += 1
            if split is not None:
                split.now = {}  # what the PIN check (23) cost is not the checkout's
            if profile is not None:
                profile.enable()
            started = time.perf_counter()
            answer = server.respond(session, data)
            times.append((time.perf_counter() - started) * 1000)
            if profile is not None:
                profile.disable()
            if not answer.startswith(b"121"):
                raise AssertionError(f"in-process checkout refused: {answer[:80]!r}")
            if split is not None:
                split.next()
    return times


def where_the_time_goes(per_session: int, used: set[str]) -> dict:
    from django.db import connection

    from libdesk.circulation import services
    from libdesk.sip2 import handlers, protocol, server
    from libdesk.sip2.session import KioskSession

    figures: dict = {}
    # The codec alone: one checkout frame parsed, one 12 encoded (as the handler builds it).
    request = frame(checkout_body("28000000000001", "50000000000001"), 3)
    reply = (
        "12",
        ["1", "N", "U", "Y", protocol.sip_date(datetime.now().astimezone())],
        [
            ("AO", INSTITUTION),
            ("AA", "28000000000001"),
            ("AB", "50000000000001"),
            ("AJ", "A title of a usual length: with a subtitle / by an author."),
            ("AH", "20261220    235959"),
            ("CK", "001"),
            ("AF", "Checked out. Due 20 December 2026."),
        ],
    )
    rounds = 5000
    started = time.perf_counter()
    for _ in range(rounds):
        protocol.parse(request.rstrip(b"\r"))
    figures["parse"] = (time.perf_counter() - started) * 1000 / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        protocol.encode(*reply, sequence="3")
    figures["encode"] = (time.perf_counter() - started) * 1000 / rounds

    def plan_and_items(count: int):
        plan = sessions(-(-count // per_session), per_session, used)
        used.update(card for card, _ in plan)
        return plan, fresh_barcodes(count)

    # As the server runs it (a new database connection per message, CONN_MAX_AGE=0), and with
    # the connection kept between messages (as CONN_MAX_AGE=None would): kiosk sessions
    # alternated, so the machine's load falls on both alike.
    session = kiosk_session()
    plan, barcodes = plan_and_items(40)
    run_sessions(session, plan[:1], barcodes)  # warm: statements compiled, caches filled

    split = Split()
    figures["shipped"], figures["kept"] = {"rows": [], "respond": []}, {"rows": [], "respond": []}
    with contextlib.ExitStack() as stack:
        for target, name, label in (
            (server, "parse", "parse"),
            (server, "encode", "encode"),
            (handlers, "identify", "identify"),
            (handlers, "desk_of", "desk"),
            (services, "checkout", "service"),
            (KioskSession, "still_allowed", "terminal"),
        ):
            stack.enter_context(patched(target, name, split.wrap(label, getattr(target, name))))
        stack.enter_context(
            patched(connection, "connect", split.wrap("connect", connection.connect, apart=True))
        )
        stack.enter_context(
            patched(connection, "_commit", split.wrap("commit", connection._commit))
        )
        stack.enter_context(connection.execute_wrapper(split.sql))
        from django.db import close_old_connections

        closing = split.wrap("connection", close_old_connections)
        kept = server._respond

        def before(session, frame):  # as the server was: the connection closed per message
            closing()
            return kept(session, frame)

        for n in range(2 * -(-IN_PROCESS // per_session)):
            mode = ("shipped", "kept")[n % 2]
            plan, barcodes = plan_and_items(per_session)
            split.rows = []
            with patched(server, "_respond", before if mode == "shipped" else kept):
                figures[mode]["respond"] += run_sessions(session, plan, barcodes, n, split=split)
            figures[mode]["rows"] += split.rows
    connection.close()

    # A cProfile of the usual path (the checkouts only, not the PIN checks), for the record.
    plan, barcodes = plan_and_items(IN_PROCESS)
    profile = cProfile.Profile()
    run_sessions(session, plan, barcodes, 3, profile=profile)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
    figures["profile"] = out.getvalue()
    return figures


SPLIT_ROWS = (
    ("framing: parse the 11, encode the 12", ("parse", "encode")),
    ("connection: close the last one, open one (+ PRAGMAs)", ("connection", "connect")),
    ("terminal re-read (at most once a second; {terminal} statements)", ("terminal",)),
    ("identification: card -> patron ({identify} statement)", ("identify",)),
    ("the kiosk's Desk (actor, branch; {desk} statement)", ("desk",)),
    ("service: circulation checkout, all of it ({service} statements)", ("service",)),
    ("  of which its SQL statements", ("sql:service",)),
    ("  of which the commit (fsync, synchronous=FULL)", ("commit",)),
    ("  of which Python (ORM, rules, audit)", ("service", "-sql:service", "-commit")),
    ("the rest: dispatch, reply, retry memory", ("respond", "-parse", "-encode", "-connection")),
    ("respond(), in all", ("respond",)),
)


def print_split(figures: dict, round_trip_p50: float) -> None:
    def column(mode: str, names: tuple[str, ...]) -> list[float]:
        rows, totals = figures[mode]["rows"], figures[mode]["respond"]
        values = []
        for row, total in zip(rows, totals, strict=True):
            row = {**row, "respond": total}
            if names[0] == "respond" and len(names) > 1:  # the rest: total minus every piece
                pieces = ("parse", "encode", "connection", "connect", "terminal", "identify")
                value = total - sum(row.get(k, 0.0) for k in (*pieces, "desk", "service"))
            else:
                value = sum(
                    -row.get(k[1:], 0.0) if k.startswith("-") else row.get(k, 0.0) for k in names
                )
            values.append(value)
        return values

    counts = {
        region: statistics.mean(
            row.get(f"statements:{region}", 0.0) for row in figures["shipped"]["rows"]
        )
        for region in ("service", "identify", "terminal", "desk")
    }
    counts = {k: f"{v:g}" for k, v in counts.items()}
    n = len(figures["shipped"]["rows"]), len(figures["kept"]["rows"])
    print(
        f"\nwhere one SIP2 checkout's time goes (respond() in this process; ms; n={n[0]} closing "
        f"the connection per message as before, {n[1]} keeping it as the server now does)"
    )
    head = f"| {'piece':<64} | before p50 | mean | share | now p50 | mean | share |"
    print(head)
    print("| " + " | ".join("-" * len(cell.strip()) for cell in head.strip("|").split("|")) + " |")
    means = {mode: statistics.mean(figures[mode]["respond"]) for mode in ("shipped", "kept")}
    for label, names in SPLIT_ROWS:
        cells = []
        for mode in ("shipped", "kept"):
            values = column(mode, names)
            mean = statistics.mean(values)
            cells.append(
                f"{statistics.median(values):14.2f} | {mean:4.2f} | "
                f"{100 * mean / means[mode]:4.0f}%"
            )
        print(f"| {label.format(**counts):<64} | " + " | ".join(cells) + " |")
    shipped = figures["kept"]["respond"]
    print(
        "the wire (asyncio, the hop to a worker thread, TCP, this client): the SIP2 round-trip "
        f"p50 minus respond()'s = {round_trip_p50 - statistics.median(shipped):.2f} ms"
    )
    print(
        f"codec alone, best case: parse {figures['parse'] * 1000:.0f} us, "
        f"encode {figures['encode'] * 1000:.0f} us a message"
    )
    for mode, text in (("shipped", "closing it (before):"), ("kept", "as the server runs it:")):
        p50, p95, p99 = stats(figures[mode]["respond"])
        print(f"respond() {text:<24} p50 {p50:.2f}  p95 {p95:.2f}  p99 {p99:.2f} ms")
    print("\ncProfile of", IN_PROCESS, "checkouts through respond() (by own time):")
    print("\n".join(figures["profile"].splitlines()[:32]))


WHAT_IF_ONE_AT_A_TIME = 200  # checkouts on one connection per what-if server


def what_if(data_dir: str, args, used: set[str], service_rate: float) -> None:
    """One connection, then the concurrent run, on servers with other knobs (see WHAT_IF),
    the shipped one first and last; the service layer measured again at the end."""
    from libdesk.core import clock

    per = args.per_connection
    print("\nwhat if (the shipped server: 1 worker on SQLite, its database connection kept;")
    print(f"{WHAT_IF_ONE_AT_A_TIME} checkouts on one connection, then {args.concurrent} at once):")
    print(
        "| server | one connection p50 / p95 ms | together: checkouts/s | of the service rate "
        "| p50 / p95 ms | server CPU a checkout | 96s | lost, duplicated |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    variants = [
        ("as shipped (`libdesk sip2`)", 0, False),
        ("8 workers, new connection per message (the knobs before this benchmark)", 8, False),
        ("8 workers, connection kept", 8, True),
        ("2 workers, connection kept", 2, True),
        ("1 worker, connection kept", 1, True),
        ("1 worker, new connection per message", 1, False),
        ("as shipped, again", 0, False),
    ]
    for label, workers, keep in variants:
        alone = sessions(-(-WHAT_IF_ONE_AT_A_TIME // per), per, used)
        used.update(card for card, _ in alone)
        plan = sessions(args.concurrent, per, used)
        used.update(card for card, _ in plan)
        barcodes = fresh_barcodes(WHAT_IF_ONE_AT_A_TIME + sum(room for _, room in plan))
        since = clock.now()
        close_connection()
        RESENDS.clear()
        with sip2_server(data_dir, workers, keep) as port:
            first = barcodes[:WHAT_IF_ONE_AT_A_TIME]
            samples, ledger1, _ = one_at_a_time(port, alone, first)
            ledger, times, wall = asyncio.run(
                many_at_once(port, plan, barcodes[WHAT_IF_ONE_AT_A_TIME:], args.seconds)
            )
        check = verify(ledger1 + ledger, since)
        close_connection()
        rate = len(times) / wall
        r50, r95, _ = stats(samples)
        p50, p95, _ = stats(times)
        print(
            f"| {label} | {r50:.2f} / {r95:.2f} | {rate:.1f} | {100 * rate / service_rate:.0f}% "
            f"| {p50:.0f} / {p95:.0f} | {CPU['server'] * 1000:.2f} ms | {resends()} "
            f"| {check['lost']}, {check['duplicated']} "
            f"|  {load()}"
        )
    again = circulation.service_checkouts()
    s50, s95, _ = stats(again)
    print(
        f"service layer again: p50 {s50:.2f}  p95 {s95:.2f} ms, "
        f"{len(again) / (sum(again) / 1000):.1f} checkouts/s  {load()}"
    )


def close_connection() -> None:
    from django.db import connection

    connection.close()


def resends() -> str:
    return ", ".join(f"{n} on {code}" for code, n in sorted(RESENDS.items())) or "none"


def load() -> str:
    return f"(load {os.getloadavg()[0]:.1f})"


# --- The run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default=None)
    parser.add_argument("--concurrent", type=int, default=32)
    parser.add_argument("--per-connection", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="then the concurrent run again on what-if servers (worker threads, connections)",
    )
    args = parser.parse_args()
    data_dir = args.dir or tempfile.mkdtemp(prefix="libdesk-sip2-")
    os.environ["LIBDESK_DATA_DIR"] = data_dir
    if not (Path(data_dir) / "libdesk.sqlite3").exists():
        circulation.build(data_dir)
    else:
        circulation.libdesk("migrate", "-v", "0")  # a directory built by older code
    circulation.setup_django()
    from django.db import connection

    from libdesk.catalog.models import Item, Record
    from libdesk.core import clock

    print(f"{Record.objects.count():,} records, {Item.objects.count():,} items")
    prepare_kiosk()
    connection.close()
    per = args.per_connection

    with checkpointer(data_dir):  # as under `libdesk run`
        # 1. The service layer, as circulation_bench measures it.
        cpu = time.process_time()
        service = circulation.service_checkouts()
        service_cpu = (time.process_time() - cpu) / len(service)
        s50, s95, s99 = stats(service)
        service_rate = len(service) / (sum(service) / 1000)
        print(
            f"checkout, service layer:       p50 {s50:.2f}  p95 {s95:.2f}  p99 {s99:.2f} ms"
            f"  (n={len(service)})"
        )
        print(
            f"  one at a time: {service_rate:.1f} checkouts/s (1 / mean); CPU "
            f"{service_cpu * 1000:.2f} ms a checkout  {load()}"
        )

        used: set[str] = set()
        plan1 = sessions(-(-(args.samples + WARM_UP) // per), per, used)
        used.update(card for card, _ in plan1)
        plan2 = sessions(args.concurrent, per, used)
        used.update(card for card, _ in plan2)
        need1 = args.samples + WARM_UP
        need2 = sum(room for _, room in plan2)
        barcodes = fresh_barcodes(need1 + need2)
        since = clock.now()
        connection.close()  # the server writes now; this process only reads afterwards

        with sip2_server(data_dir) as port:
            # 2. One connection at a time.
            RESENDS.clear()
            samples, ledger1, pins = one_at_a_time(port, plan1, barcodes[:need1])
            resent1 = resends()
            r50, r95, r99 = stats(samples)
            print(
                f"checkout, SIP2 round trip:     p50 {r50:.2f}  p95 {r95:.2f}  p99 {r99:.2f} ms"
                f"  (n={len(samples)}, one connection, {len(plan1)} kiosk sessions)"
            )
            print(
                f"  one at a time: {len(samples) / (sum(samples) / 1000):.1f} checkouts/s;"
                f"  PIN check (23 with AD, argon2) p50 {statistics.median(pins):.0f} ms  {load()}"
            )
            # 3. Many at once.
            RESENDS.clear()
            ledger2, together, wall = asyncio.run(
                many_at_once(port, plan2, barcodes[need1:], args.seconds)
            )
        done = len(together)
        rate = done / wall
        c50, c95, c99 = stats(together)
        print(
            f"checkout, SIP2, {args.concurrent} connections: {done} in {wall:.1f} s = "
            f"{rate:.1f} checkouts/s = {100 * rate / service_rate:.0f}% of the service "
            f"layer's one-at-a-time rate"
        )
        print(f"  round trips under load: p50 {c50:.2f}  p95 {c95:.2f}  p99 {c99:.2f} ms  {load()}")
        print(
            f"  CPU a checkout: server {CPU['server'] * 1000:.2f} ms, this client "
            f"{CPU['client'] * 1000:.2f} ms (2 cores: at most "
            f"{2 / (CPU['server'] + CPU['client']):.0f} checkouts/s for both together)"
        )

        for name, ledger, resent in (
            ("one connection", ledger1, resent1),
            ("together", ledger2, resends()),
        ):
            refused = sum(1 for *_, ok in ledger if not ok)
            print(
                f"  {name}: {len(ledger)} answered, {refused} refused (ok=0); "
                f"frames answered 96 and resent: {resent}"
            )
        check = verify(ledger1 + ledger2, since)
        print("read back:", ", ".join(f"{k} {v}" for k, v in check.items()))
        again = circulation.service_checkouts()  # the machine's load changes: measured again
        a50, a95, _ = stats(again)
        again_rate = len(again) / (sum(again) / 1000)
        print(
            f"checkout, service layer again: p50 {a50:.2f}  p95 {a95:.2f} ms, {again_rate:.1f} "
            f"checkouts/s; {args.concurrent} connections = {100 * rate / again_rate:.0f}% of that"
            f"  {load()}"
        )
        connection.close()

        # 4. Where the time goes.
        figures = where_the_time_goes(per, used)
        print_split(figures, r50)

        if args.what_if:
            what_if(data_dir, args, used, service_rate)

    print("\ntargets:")
    verdict = {True: "met", False: "NOT met"}
    print(f"  SIP2 p95 {r95:.2f} <= 10 ms: {verdict[r95 <= 10]}")
    print(
        f"  SIP2 p95 within 3 ms of the service's {s95:.2f}: {r95 - s95:+.2f} ms, "
        f"{verdict[r95 - s95 <= 3]}"
    )
    print(
        f"  {args.concurrent} connections >= 80% of {service_rate:.1f}/s: {rate:.1f}/s "
        f"({100 * rate / service_rate:.0f}%), {verdict[rate >= 0.8 * service_rate]}"
    )
    clean = check["lost"] == check["duplicated"] == check["wrong patron"] == 0
    clean = clean and check["refused but lent"] == check["kiosk loans not acknowledged"] == 0
    print(f"  zero lost or duplicated: {verdict[clean]}")


if __name__ == "__main__":
    main()
