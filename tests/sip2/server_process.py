"""A real `libdesk sip2` process on a prepared data dir, and a raw SIP2 client written here
from the 3M SIP2 2.00 text (not from libdesk's codec), for the conformance, malformed-frame,
soak and crash tests.

`prepare_library` makes a library once (migrate, demo load, canary PINs for the demo patrons,
more patrons, loans dated in the past so that renewals add time); `copy_library` gives another
module its own copy, which is much faster than loading the demo again.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from tests.canaries import CARDS, PINS, record
from tests.cli.test_libdesk_command import env_for, free_port, libdesk

KIOSK_LOGIN, KIOSK_PASSWORD, INSTITUTION = "kiosk", "kiosk-demo", "KPL"
FIRST_ITEM = 39000000000001
BANNER = "SIP2 server listening on 127.0.0.1:"
DATABASE = "libdesk.sqlite3"
# The demo patrons (tests/canaries.py gives them canary PINs, as every demo fixture does).
ADULT, FRENCH, PARENT, CHILD = CARDS


def item(n: int) -> str:
    """The n-th demo barcode (0-based); the first 100 are available books at MAIN."""
    return str(FIRST_ITEM + n)


def extra_patrons(count: int, first: int = 29000000100001) -> dict[str, str]:
    """Cards and 10-digit PINs for patrons the demo does not have (scanned as canaries)."""
    return {str(first + n): f"{(first + n) * 7919 % 10**10:010d}" for n in range(count)}


def prepare_library(
    path: Path,
    *,
    patrons: dict[str, str] | None = None,
    old_loans: Iterable[tuple[str, str, int]] = (),
    terminal: dict[str, list[str]] | None = None,
) -> Path:
    """A migrated library with the demo loaded by the real commands, its demo patrons on their
    canary PINs; `patrons` (card: PIN) registered at MAIN; `old_loans` (card, barcode, days
    ago) checked out at the desk that many days ago; `terminal` adds message codes and patron
    fields to the demo kiosk's allow-lists."""
    patrons = patrons or {}
    for pin in patrons.values():
        record("pin", pin)
    libdesk(path, "migrate", "--no-input")
    libdesk(path, "demo", "load")
    spec = {"patrons": patrons, "old_loans": list(old_loans), "terminal": terminal or {}}
    code = f"from tests.sip2.server_process import _seed; _seed({json.dumps(spec)!r})"
    result = subprocess.run(
        [sys.executable, "-m", "libdesk", "shell", "-c", code],
        env=env_for(path),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    return path


def _seed(spec_json: str) -> None:
    """Runs inside `libdesk shell` on the library being prepared."""
    from datetime import timedelta

    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.services.lending import checkout
    from libdesk.core import clock
    from libdesk.demo.loader import CARDS_VALID_TO
    from libdesk.patrons.models import Patron
    from libdesk.patrons.services import PatronDetails, register_patron
    from libdesk.sip2.models import Terminal
    from tests.canaries import give_demo_accounts_canary_secrets

    spec = json.loads(spec_json)
    give_demo_accounts_canary_secrets()
    clerk = StaffUser.objects.get(username="clerk")
    workstation = Workstation.objects.get(name="MAIN-DESK-1")
    for n, (card, pin) in enumerate(sorted(spec["patrons"].items())):
        details = PatronDetails(
            name=f"Soak Patron {n}",
            card_number=card,
            category="adult",
            home_branch="MAIN",
            card_expires=CARDS_VALID_TO,
            email=f"soak{n}@example.org",
            pin=pin,
        )
        register_patron(clerk, workstation, details)
    desk = Desk.staff_at(clerk, workstation)
    for card, barcode, days_ago in spec["old_loans"]:
        # in UTC, as clock.now() is: an audit entry stamped in another zone would not verify
        with clock.travel_to(clock.now() - timedelta(days=days_ago)):
            result = checkout(desk, Patron.objects.get(card_number=card), barcode)
        assert result.loan is not None, result
    if spec["terminal"]:
        kiosk = Terminal.objects.get(login=KIOSK_LOGIN)
        kiosk.messages = sorted(set(kiosk.messages) | set(spec["terminal"].get("messages", [])))
        fields = set(spec["terminal"].get("patron_fields", []))
        kiosk.patron_fields = sorted(set(kiosk.patron_fields) | fields)
        kiosk.save()


def copy_library(source: Path, target: Path) -> Path:
    """Another module's own library, copied from a prepared one (no server may be running on
    `source`: SQLite's WAL is checkpointed into the file when the last connection closes)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    return target


def database(data_dir: Path) -> Path:
    return data_dir / DATABASE


class Server:
    """`libdesk sip2 --port N` on `data_dir`; started until its banner, killed with SIGKILL or
    stopped with SIGTERM; its output is kept in memory (the process logs where the run does)."""

    def __init__(self, data_dir: Path, port: int | None = None, **env: str) -> None:
        self.data_dir, self.port = data_dir, port or free_port()
        self.env = {**env_for(data_dir), **env}
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []

    def start(self, timeout: float = 120) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "libdesk", "sip2", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()
        threading.Thread(target=self._read, args=(self.process, ready), daemon=True).start()
        if not ready.wait(timeout):
            self.kill()
            raise AssertionError("the SIP2 server did not start:\n" + "".join(self.output))
        if self.process.poll() is not None:
            raise AssertionError("the SIP2 server stopped:\n" + "".join(self.output))
        return self

    def _read(self, process: subprocess.Popen, ready: threading.Event) -> None:
        for line in process.stdout:
            self.output.append(line)
            if f"{BANNER}{self.port}" in line:
                ready.set()
        ready.set()  # it ended: start() says so

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9: no chance to flush, close or say goodbye."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# The wire, from the SIP2 2.00 text -------------------------------------------------------


def checksum(prefix: bytes) -> bytes:
    """Four hex digits: the two's complement of the low 16 bits of the byte sum of everything
    from the message's first byte through "AZ"."""
    return b"%04X" % (-sum(prefix) & 0xFFFF)


def checksum_ok(frame: bytes) -> bool:
    body = frame.rstrip(b"\r\n")
    return (
        len(body) > 6
        and body[-6:-4] == b"AZ"
        and (sum(body[:-4]) + int(body[-4:], 16)) & 0xFFFF == 0
    )


def frame(body: str | bytes, seq: int | None = 0, *, end: bytes = b"\r", encoding="utf-8") -> bytes:
    """A request with error detection: body, AY<seq>AZ<checksum>, terminator."""
    data = body.encode(encoding) if isinstance(body, str) else body
    prefix = data + (b"AY%dAZ" % seq if seq is not None else b"AZ")
    return prefix + checksum(prefix) + end


def stamp(moment: datetime | None = None) -> str:
    """A transaction date: YYYYMMDDZZZZHHMMSS, local time (ZZZZ blank)."""
    return (moment or datetime.now()).strftime("%Y%m%d    %H%M%S")


def login_body(login: str = KIOSK_LOGIN, password: str = KIOSK_PASSWORD) -> str:
    return f"9300CN{login}|CO{password}|CPMAIN|"


def status_body() -> str:
    return "9900302.00"


def patron_information_body(
    card: str, pin: str | None, summary: str = " " * 10, start: str = "1", end: str = "5"
) -> str:
    pin_field = f"AD{pin}|" if pin is not None else ""
    return f"63001{stamp()}{summary:<10}AO{INSTITUTION}|AA{card}|{pin_field}BP{start}|BQ{end}|AC|"


def checkout_body(card: str, barcode: str, pin: str | None = None) -> str:
    pin_field = f"AD{pin}|" if pin is not None else ""
    return f"11NN{stamp()}{' ' * 18}AO{INSTITUTION}|AA{card}|AB{barcode}|AC|{pin_field}"


def checkin_body(barcode: str) -> str:
    return f"09N{stamp()}{stamp()}APMAIN|AO{INSTITUTION}|AB{barcode}|AC|"


def renew_body(card: str, barcode: str, pin: str | None = None) -> str:
    pin_field = f"AD{pin}|" if pin is not None else ""
    return f"29NN{stamp()}{' ' * 18}AO{INSTITUTION}|AA{card}|{pin_field}AB{barcode}|AC|"


def item_information_body(barcode: str) -> str:
    return f"17{stamp()}AO{INSTITUTION}|AB{barcode}|AC|"


def end_session_body(card: str) -> str:
    return f"35{stamp()}AO{INSTITUTION}|AA{card}|AC|"


class Closed(Exception):
    """The server closed the connection (or reset it) before a whole response came."""


class Connection:
    """One terminal's TCP connection: frames out, CR-terminated responses in."""

    def __init__(self, port: int, timeout: float = 15, source: str | None = None) -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=timeout, source_address=(source, 0) if source else None
        )
        self.timeout = timeout
        self.buffer = b""
        self.seq = 0

    def next_seq(self) -> int:
        seq, self.seq = self.seq, (self.seq + 1) % 10
        return seq

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive(self, timeout: float | None = None) -> bytes:
        """One response, through its CR."""
        self.sock.settimeout(timeout or self.timeout)
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\r" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no whole response; have {self.buffer!r}")
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise Closed(self.buffer) from exc
            if not chunk:
                raise Closed(self.buffer)
            self.buffer += chunk
        response, _, self.buffer = self.buffer.partition(b"\r")
        return response + b"\r"

    def request(self, body: str, *, encoding: str = "utf-8") -> tuple[bytes, bytes]:
        """Send `body` framed with the next sequence number; (the frame, the response)."""
        data = frame(body, self.next_seq(), encoding=encoding)
        self.send(data)
        return data, self.receive()

    def ask(self, body: str) -> bytes:
        return self.request(body)[1]

    def login(self) -> bytes:
        response = self.ask(login_body())
        assert response.startswith(b"941"), response
        return response

    def closed_by_server(self, timeout: float = 10) -> bool:
        """True once the server closes (EOF or reset) within `timeout`, reading past any
        responses it sent first."""
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            return False
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# The length of each response's fixed part, code included (SIP2 2.00).
FIXED = {
    "94": 3,
    "98": 36,
    "24": 37,
    "64": 61,
    "12": 24,
    "10": 24,
    "18": 26,
    "30": 24,
    "66": 29,
    "16": 22,
    "36": 21,
    "38": 21,
    "26": 37,
    "96": 2,
}


def fields(response: bytes, encoding: str = "utf-8") -> dict[str, list[str]]:
    """The variable fields of a response by identifier, AY and AZ included."""
    text = response.decode(encoding).rstrip("\r")
    rest = text[FIXED[text[:2]] :]
    found: dict[str, list[str]] = {}
    trailer = rest.rfind("AY") if "|AY" in rest or rest.startswith("AY") else rest.rfind("AZ")
    body, tail = rest[:trailer], rest[trailer:]
    for piece in body.split("|")[:-1] if body.endswith("|") else body.split("|"):
        if piece:
            found.setdefault(piece[:2], []).append(piece[2:])
    if tail.startswith("AY"):
        found["AY"], tail = [tail[2:3]], tail[3:]
    if tail.startswith("AZ"):
        found["AZ"] = [tail[2:]]
    return found


def field(response: bytes, ident: str, encoding: str = "utf-8") -> str | None:
    """The first value of one variable field, or None."""
    return fields(response, encoding).get(ident, [None])[0]


def demo_pin(card: str) -> str:
    return PINS[card]


def still_serves(port: int) -> None:
    """A fresh connection logs in, answers 99 with 98, and checks nothing else."""
    with Connection(port) as fresh:
        fresh.login()
        status = fresh.ask(status_body())
        assert status.startswith(b"98Y"), status
        assert checksum_ok(status), status


# Kiosks that keep a ledger (soak and crash tests) -------------------------------------------

LOAN_ROWS = (
    "SELECT l.id, l.closed_at, p.card_number, l.due, l.renewals_used FROM circulation_loan l "
    "JOIN catalog_item i ON i.id = l.item_id LEFT JOIN patrons_patron p ON p.id = l.patron_id "
    "WHERE i.barcode = ? ORDER BY l.id"
)


def ok(response: bytes) -> bool:
    """The ok flag of a 12, 10, 30 (position 2)."""
    return response[2:3] == b"1"


def due_of(response: bytes) -> str:
    """AH as an ISO date (YYYY-MM-DD), from the SIP2 date it is sent as."""
    value = field(response, "AH") or ""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if value[:8].isdigit() else value


ACKNOWLEDGED = itertools.count()  # the order acknowledgements came in, across kiosks


class Items:
    """Who may act on which item next, shared by the client threads: an item is free in its
    owner's pool, lent by its owner, or busy while a request about it is in flight."""

    def __init__(self, pools: dict[int, list[str]], lent: dict[str, int]) -> None:
        self.lock = threading.Lock()
        self.state = {barcode: ("free", k) for k, pool in pools.items() for barcode in pool}
        self.state.update({barcode: ("lent", k) for barcode, k in lent.items()})

    def take(self, wanted: str, owner: int, rng) -> str | None:
        with self.lock:
            choices = [b for b, s in self.state.items() if s == (wanted, owner)]
            if not choices:
                return None
            barcode = rng.choice(sorted(choices))
            self.state[barcode] = ("busy", owner)
            return barcode

    def put(self, barcode: str, state: str, owner: int) -> None:
        with self.lock:
            self.state[barcode] = (state, owner)


class LedgerKiosk:
    """One self-check machine for one patron: a connection it re-opens (and logs in again, and
    re-verifies the PIN) whenever it has to, and a ledger of what the server acknowledged."""

    def __init__(self, port_of, number: int, card: str, pin: str, rng) -> None:
        self.port_of, self.number, self.card, self.pin, self.rng = port_of, number, card, pin, rng
        self.conn: Connection | None = None
        self.ledger: list[tuple[int, str, str, str]] = []  # (when, operation, barcode, due)
        self.counts: dict[str, int] = {}

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def connect(self, patience: float = 90) -> None:
        """Log in (and prove the PIN) on a new connection, retrying while the server is away."""
        deadline = time.monotonic() + patience
        while True:
            self.close()
            try:
                self.conn = Connection(self.port_of(), timeout=30)
                self.conn.login()
                info = self.conn.ask(patron_information_body(self.card, self.pin))
                assert field(info, "CQ") == "Y", info
                return
            except (OSError, Closed):
                if time.monotonic() > deadline:
                    raise
                self.count("reconnect waits")
                time.sleep(0.2)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def exchange(self, body: str, *, lose: float = 0.0) -> bytes:
        """Send `body`, return the answer. With probability `lose` the answer is "lost": the
        kiosk sends the identical frame again (which must get identical bytes), or reconnects
        and sends it again. A connection that breaks is re-opened and the frame resent."""
        if self.conn is None:
            self.connect()
        data = frame(body, self.conn.next_seq())
        while True:
            try:
                self.conn.send(data)
                response = self.conn.receive()
                break
            except (OSError, Closed):
                self.count("resent after a broken connection")
                self.connect()
        assert checksum_ok(response), response
        if self.rng.random() < lose:
            if self.rng.random() < 0.5:
                self.count("lost, retransmitted")
                self.conn.send(data)
                again = self.conn.receive()
                assert again == response, (data, response, again)
            else:
                self.count("lost, reconnected and resent")
                self.connect()
                self.conn.send(data)
                again = self.conn.receive()
                assert again[:2] == response[:2], (response, again)
                if body[:2] in ("11", "29") and ok(response):
                    assert ok(again) and due_of(again) == due_of(response), (response, again)
                response = again if body[:2] != "09" else response
        return response

    # The operations; each returns whether the server acknowledged it.

    def information(self, lose: float) -> None:
        response = self.exchange(patron_information_body(self.card, self.pin, "  Y"), lose=lose)
        assert response.startswith(b"64") and field(response, "CQ") == "Y", response
        self.count("patron information")

    def checkout(self, barcode: str, lose: float) -> bool:
        response = self.exchange(checkout_body(self.card, barcode), lose=lose)
        assert response.startswith(b"12"), response
        if ok(response):
            self.ledger.append((next(ACKNOWLEDGED), "checkout", barcode, due_of(response)))
            self.count("checkouts")
        else:
            self.count("checkouts refused")
        return ok(response)

    def renew(self, barcode: str, lose: float) -> bool:
        response = self.exchange(renew_body(self.card, barcode), lose=lose)
        assert response.startswith(b"30"), response
        if ok(response):
            self.ledger.append((next(ACKNOWLEDGED), "renew", barcode, due_of(response)))
            self.count("renewals granted")
        else:
            assert field(response, "AF"), response  # a refusal says why
            self.count("renewals refused")
        return ok(response)

    def checkin(self, barcode: str, lose: float) -> bool:
        """A check-in whose answer was lost and whose resend says "not on loan" is confirmed
        by asking about the item (17): back on the shelf or on its way is acknowledged."""
        response = self.exchange(checkin_body(barcode), lose=lose)
        assert response.startswith(b"10") and field(response, "AA") is None, response
        if not ok(response):
            about = self.exchange(item_information_body(barcode))
            if about[2:4] == b"04":  # still charged: the check-in was refused
                self.count("check-ins refused")
                return False
            self.count("check-ins confirmed by item information")
        self.ledger.append((next(ACKNOWLEDGED), "checkin", barcode, ""))
        self.count("check-ins")
        return True


def run_kiosk(
    kiosk: LedgerKiosk, items: Items, deadline: float, errors: list, kiosks: int, loss: float
) -> None:
    """One kiosk's thread until `deadline`: patron information, checkouts from its own pool,
    renewals of its loans, check-ins of the next kiosk's loans (an automated return)."""
    k, rng = kiosk.number, kiosk.rng
    neighbour = (k + 1) % kiosks
    try:
        kiosk.connect()
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.15:
                kiosk.information(loss)
            elif roll < 0.55:
                barcode = items.take("free", k, rng)
                if barcode is None:
                    continue
                lent = kiosk.checkout(barcode, loss)
                items.put(barcode, "lent" if lent else "free", k)
            elif roll < 0.75:
                barcode = items.take("lent", k, rng)
                if barcode is None:
                    continue
                kiosk.renew(barcode, loss)
                items.put(barcode, "lent", k)
            else:
                barcode = items.take("lent", neighbour, rng)
                if barcode is None:
                    continue
                returned = kiosk.checkin(barcode, loss)
                items.put(barcode, "free" if returned else "lent", neighbour)
    except Exception as exc:  # reported by the test, with the kiosk's number
        errors.append((k, repr(exc)))
    finally:
        kiosk.close()


def check_ledgers(db_file: Path, kiosks: list[LedgerKiosk], initial: dict[str, str]) -> dict:
    """What the kiosks were told against what the database holds. `initial`: barcode to the
    card of a loan made before the run. Every acknowledged checkout is one loan (none lost,
    none twice); every acknowledged check-in closed one; an item has at most one open loan,
    to the patron the ledger says; a loan's due date is the last one a kiosk was told; each
    loan's checkout and renewals are audited exactly once each."""
    import sqlite3

    events: dict[str, list[tuple[str, str, str]]] = {}
    # One item's events come from two kiosks (its lender and the one that checks it in), one
    # at a time (Items), so the order of acknowledgement is the order they happened in.
    for _, operation, barcode, due, card in sorted(
        (*entry, kiosk.card) for kiosk in kiosks for entry in kiosk.ledger
    ):
        events.setdefault(barcode, []).append((operation, card, due))
    with sqlite3.connect(db_file) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for barcode in set(events) | set(initial):
            happened = events.get(barcode, [])
            loans = db.execute(LOAN_ROWS, (barcode,)).fetchall()
            made = sum(1 for e in happened if e[0] == "checkout") + (barcode in initial)
            returned = sum(1 for e in happened if e[0] == "checkin")
            assert len(loans) == made, (barcode, happened, loans)
            closed = [loan for loan in loans if loan[1] is not None]
            still_open = [loan for loan in loans if loan[1] is None]
            assert len(closed) == returned, (barcode, happened, loans)
            assert len(still_open) == made - returned <= 1, (barcode, happened, loans)
            if still_open:
                lender = initial.get(barcode)
                last_due = None
                for operation, card, due in happened:
                    if operation == "checkout":
                        lender, last_due = card, due
                    elif operation == "renew":
                        last_due = due
                    else:
                        lender, last_due = None, None
                _, _, card, due, renewals = still_open[0]
                assert card == lender, (barcode, happened, loans)
                if last_due is not None:
                    assert due == last_due, (barcode, happened, loans)
        audited = dict(
            db.execute(
                "SELECT action || ':' || object_id, count(*) FROM audit_auditentry "
                "WHERE action IN ('circulation.checkout', 'circulation.renew') "
                "GROUP BY action, object_id"
            ).fetchall()
        )
        for loan_id, renewals in db.execute("SELECT id, renewals_used FROM circulation_loan"):
            assert audited.get(f"circulation.checkout:{loan_id}") == 1, loan_id
            assert audited.get(f"circulation.renew:{loan_id}", 0) == renewals, loan_id
        return {
            "loans": db.execute("SELECT count(*) FROM circulation_loan").fetchone()[0],
            "open loans": db.execute(
                "SELECT count(*) FROM circulation_loan WHERE closed_at IS NULL"
            ).fetchone()[0],
        }
