"""The kiosk's rules, through the real socket: a PIN proved once per patron per connection (or
every time, or never on a staff-attended machine), the terminal's allow-list of patron fields,
lockouts per card and per terminal, blocks from 01 lifted by 25, offline loans with their own
dates and conflicts, payments applied once per transaction id, and check-in answers that name
a pickup code, never a patron."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.test_libdesk_command import env_for
from tests.sip2.server_process import (
    ADULT,
    CHILD,
    FRENCH,
    INSTITUTION,
    PARENT,
    Connection,
    Server,
    checkin_body,
    checkout_body,
    database,
    demo_pin,
    field,
    item,
    login_body,
    patron_information_body,
    prepare_library,
    stamp,
)

pytestmark = [pytest.mark.slow, pytest.mark.once, pytest.mark.xdist_group("sip2-kiosk-rules")]

TERMINALS = {
    # login: settings beyond the demo kiosk's
    "every-time": {"pin_every_time": True},
    "attended": {"pin_not_required": True},
    "validity-only": {"patron_fields": ["validity"]},
    "no-holds": {"messages": ["99", "63", "11", "09", "17", "35"]},
    "cp850": {"pin_not_required": True, "encoding": "cp850"},
    "online-only": {"accepts_offline": False},
    "to-disable": {},
}
TERMINAL_PASSWORD = "terminal-pw-41"


def _seed_terminals(path: Path) -> None:
    """Terminals and a fee, made inside `libdesk shell` on the prepared library."""
    code = (
        "import json\n"
        "from tests.sip2.test_kiosk_rules import _make\n"
        f"_make(json.loads({json.dumps(json.dumps(TERMINALS))}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "libdesk", "shell", "-c", code],
        env=env_for(path),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr


def _make(terminals: dict) -> None:
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password

    from libdesk.circulation.models import Fee
    from libdesk.core import clock
    from libdesk.patrons.models import Patron
    from libdesk.sip2.models import Terminal

    kiosk = Terminal.objects.get(login="kiosk")
    for login, changes in terminals.items():
        twin = Terminal.objects.get(pk=kiosk.pk)
        twin.pk, twin.login = None, login
        twin.password_hash = make_password(TERMINAL_PASSWORD)
        for name, value in changes.items():
            setattr(twin, name, value)
        twin.save()
    Fee.objects.create(
        patron=Patron.objects.get(card_number=FRENCH),
        kind="damage",
        amount=Decimal("4.00"),
        balance=Decimal("4.00"),
        created_at=clock.now(),
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    path = prepare_library(tmp_path_factory.mktemp("kiosk-rules"))
    _seed_terminals(path)
    with Server(path) as server:
        yield server, path


def terminal(port: int, login: str = "kiosk") -> Connection:
    connection = Connection(port)
    password = "kiosk-demo" if login == "kiosk" else TERMINAL_PASSWORD
    assert connection.ask(login_body(login, password)).startswith(b"941")
    return connection


def rows(path: Path, query: str, *args) -> list[tuple]:
    with sqlite3.connect(database(path)) as db:
        return db.execute(query, args).fetchall()


def test_a_pin_proved_once_lets_that_patron_borrow_and_no_one_else(library):
    server, _ = library
    with terminal(server.port) as kiosk:
        refused = kiosk.ask(checkout_body(ADULT, item(10)))
        assert refused[2:3] == b"0" and field(refused, "AF") == "Please enter your PIN."
        proved = kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        assert field(proved, "CQ") == "Y"
        lent = kiosk.ask(checkout_body(ADULT, item(10)))
        assert lent[2:3] == b"1", lent
        # another card on the same connection has proved nothing
        other = kiosk.ask(checkout_body(PARENT, item(11)))
        assert other[2:3] == b"0"
        # a wrong PIN ends the first patron's verification too
        kiosk.ask(patron_information_body(ADULT, "0000"))
        assert kiosk.ask(checkout_body(ADULT, item(11)))[2:3] == b"0"


def test_a_terminal_set_to_ask_every_time_wants_the_pin_on_each_message(library):
    server, _ = library
    with terminal(server.port, "every-time") as kiosk:
        assert field(kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT))), "CQ") == "Y"
        assert kiosk.ask(checkout_body(ADULT, item(12)))[2:3] == b"0"
        assert kiosk.ask(checkout_body(ADULT, item(12), demo_pin(ADULT)))[2:3] == b"1"


def test_a_staff_attended_terminal_lends_without_a_pin(library):
    server, _ = library
    with terminal(server.port, "attended") as kiosk:
        assert kiosk.ask(checkout_body(PARENT, item(13)))[2:3] == b"1"


def test_the_allow_list_limits_what_a_terminal_learns_about_a_patron(library):
    server, _ = library
    with terminal(server.port, "validity-only") as kiosk:
        answer = kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT), "  Y       "))
    assert field(answer, "CQ") == "Y" and field(answer, "BL") == "Y"
    assert field(answer, "AE") == ""  # no name
    assert field(answer, "AU") is None and field(answer, "BV") is None  # no items, no fees
    assert answer[37:61] == b" " * 24  # no counts
    assert b"example.org" not in answer
    with terminal(server.port) as kiosk:  # the demo kiosk: name, counts, fees, items
        answer = kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT), "  Y       "))
    assert field(answer, "AE") == "Avery Lindqvist"
    assert field(answer, "BE") is None and field(answer, "BD") is None  # never contact details


def test_a_message_the_terminal_may_not_send_is_refused_in_its_own_shape(library):
    server, _ = library
    with terminal(server.port, "no-holds") as kiosk:
        kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        answer = kiosk.ask(f"15+{stamp()}AO{INSTITUTION}|AA{ADULT}|AB{item(20)}|")
    assert answer.startswith(b"160") and "may not" in field(answer, "AF")


def test_another_institution_is_refused(library):
    server, _ = library
    with terminal(server.port) as kiosk:
        kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        body = checkout_body(ADULT, item(14)).replace(f"AO{INSTITUTION}|", "AOOTHER|")
        answer = kiosk.ask(body)
    assert answer[2:3] == b"0" and "not set up for this library" in field(answer, "AF")


def test_wrong_terminal_passwords_lock_that_terminal_account_only(library):
    server, _ = library
    for _attempt in range(5):
        with Connection(server.port) as kiosk:
            assert kiosk.ask(login_body("no-holds", "wrong-password")).startswith(b"940")
    with Connection(server.port) as kiosk:  # the right password, while locked
        assert kiosk.ask(login_body("no-holds", TERMINAL_PASSWORD)).startswith(b"940")
    with terminal(server.port):  # another terminal account is not affected
        pass


def test_wrong_pins_pause_the_card_on_kiosks_and_say_so(library):
    server, _ = library
    with terminal(server.port) as kiosk:
        for _attempt in range(5):
            answer = kiosk.ask(patron_information_body(FRENCH, "1111"))
            assert field(answer, "CQ") == "N" and field(answer, "AE") == ""
        locked = kiosk.ask(patron_information_body(FRENCH, demo_pin(FRENCH)))
    assert field(locked, "CQ") == "N"
    assert "paused" in field(locked, "AF").lower() or "pause" in field(locked, "AF").lower()


def test_a_block_from_01_stops_borrowing_until_25_lifts_it(library):
    server, path = library
    with terminal(server.port) as kiosk:
        blocked = kiosk.ask(f"01Y{stamp()}AO{INSTITUTION}|ALCard retained|AA{PARENT}|")
        assert blocked.startswith(b"24") and "blocked" in field(blocked, "AF")
        kiosk.ask(patron_information_body(PARENT, demo_pin(PARENT)))
        refused = kiosk.ask(checkout_body(PARENT, item(15)))
        assert refused[2:3] == b"0" and "blocked" in field(refused, "AF").lower()
        enabled = kiosk.ask(f"25{stamp()}AO{INSTITUTION}|AA{PARENT}|AD{demo_pin(PARENT)}|")
        assert enabled.startswith(b"26") and field(enabled, "BL") == "Y"
        assert kiosk.ask(checkout_body(PARENT, item(15)))[2:3] == b"1"
    blocks = rows(path, "SELECT terminal, message, card_retained, lifted_by FROM patrons_cardblock")
    assert blocks == [("kiosk", "Card retained", 1, "terminal kiosk")]


def test_an_offline_checkout_keeps_its_own_date_and_reports_conflicts(library):
    server, path = library
    lent_at = datetime.now() - timedelta(days=2)
    due = (lent_at + timedelta(days=21)).strftime("%Y%m%d    235959")
    with terminal(server.port) as kiosk:
        kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        assert kiosk.ask(checkout_body(ADULT, item(30)))[2:3] == b"1"  # an ordinary loan
        kiosk.ask(patron_information_body(CHILD, demo_pin(CHILD)))
        offline = f"11NY{stamp(lent_at)}{due}AO{INSTITUTION}|AA{CHILD}|AB{item(30)}|AC|"
        answer = kiosk.ask(offline)
        assert answer[2:3] == b"1", answer
        again = kiosk.ask(offline)  # replayed: recorded once
        assert again[2:3] == b"1"
    loans = rows(
        path,
        "SELECT p.card_number, l.checked_out_at, l.due, l.closed_at FROM circulation_loan l "
        "JOIN catalog_item i ON i.id = l.item_id LEFT JOIN patrons_patron p ON p.id = l.patron_id"
        " WHERE i.barcode = ? ORDER BY l.id",
        item(30),
    )
    # The desk's later record of the first loan began after the kiosk's offline loan: it
    # stays, and the offline loan is a conflict for staff, not a second open loan.
    assert [row[3] is None for row in loans].count(True) == 1
    conflicts = rows(path, "SELECT kind, terminal, barcode FROM circulation_offlineconflict")
    assert conflicts == [("later_loan", "kiosk", item(30))]


def test_an_offline_checkout_of_a_copy_on_the_shelf_is_recorded_at_its_date(library):
    server, path = library
    lent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    utc_stamp = lent_at.strftime("%Y%m%d   Z%H%M%S")
    with terminal(server.port) as kiosk:
        kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        body = f"11NY{utc_stamp}{' ' * 18}AO{INSTITUTION}|AA{ADULT}|AB{item(31)}|AC|"
        answer = kiosk.ask(body)
    assert answer[2:3] == b"1", answer
    (checked_out_at,) = rows(
        path,
        "SELECT l.checked_out_at FROM circulation_loan l JOIN catalog_item i "
        "ON i.id = l.item_id WHERE i.barcode = ?",
        item(31),
    )[0]
    assert checked_out_at.startswith(lent_at.strftime("%Y-%m-%d %H:%M:%S"))


def test_a_fee_payment_resent_with_its_transaction_id_is_taken_once(library):
    server, path = library
    pay = f"37{stamp()}0100CADBV1.50|AO{INSTITUTION}|AA{FRENCH}|BKtxn-77|"
    # a staff-attended terminal verifies no PIN (the lockout test may have paused this card)
    with terminal(server.port, "attended") as kiosk:
        first = kiosk.ask(pay)
        assert first.startswith(b"38Y"), first
    with terminal(server.port, "attended") as kiosk:  # after a reconnect, as after a restart
        second = kiosk.ask(pay)
        assert second.startswith(b"38Y")
    assert field(first, "AF") == field(second, "AF")  # the same receipt
    paid = rows(path, "SELECT amount, terminal, transaction_id FROM circulation_payment")
    assert paid == [(1.5, "attended", "txn-77")]
    (balance,) = rows(path, "SELECT balance FROM circulation_fee")[0]
    assert balance == 2.5


def test_a_checkin_for_a_hold_names_a_pickup_code_never_the_patron(library):
    server, _ = library
    barcode = item(40)
    with terminal(server.port) as kiosk:
        kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        assert kiosk.ask(checkout_body(ADULT, barcode))[2:3] == b"1"
        kiosk.ask(patron_information_body(PARENT, demo_pin(PARENT)))
        held = kiosk.ask(f"15+{stamp()}AO{INSTITUTION}|AA{PARENT}|AB{barcode}|")
        assert held.startswith(b"161"), held
        answer = kiosk.ask(checkin_body(barcode))
    assert answer.startswith(b"101"), answer
    assert field(answer, "AA") is None
    code = field(answer, "CY")
    assert code and PARENT not in answer.decode() and "Kakegamic" not in answer.decode()
    assert code in field(answer, "AF") and field(answer, "CV") == "01"


def test_a_retried_frame_gets_the_same_bytes_and_the_work_is_not_redone(library):
    server, path = library
    with terminal(server.port) as kiosk:
        kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
        sent, first = kiosk.request(checkout_body(ADULT, item(50)))
        kiosk.send(sent)  # the kiosk did not hear the answer and sends the same frame
        assert kiosk.receive() == first
        kiosk.send(b"97\r")
        assert kiosk.receive() == first
    (count,) = rows(
        path,
        "SELECT count(*) FROM circulation_loan l JOIN catalog_item i ON i.id = l.item_id "
        "WHERE i.barcode = ?",
        item(50),
    )[0]
    assert count == 1


def test_a_cp850_terminal_reads_and_answers_in_cp850(library):
    server, _ = library
    with terminal(server.port, "cp850") as kiosk:
        answer = kiosk.ask(patron_information_body(FRENCH, None))
    assert "Béatrice Ouellet".encode("cp850") in answer


def loan_started(path: Path, barcode: str) -> str:
    return rows(
        path,
        "SELECT l.checked_out_at FROM circulation_loan l JOIN catalog_item i "
        "ON i.id = l.item_id WHERE i.barcode = ? AND l.closed_at IS NULL",
        barcode,
    )[0][0]


def test_offline_dates_are_taken_only_from_a_terminal_that_accepts_them_and_only_recent_ones(
    library,
):
    server, path = library
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    cases = [
        ("online-only", item(60), datetime.now(UTC) - timedelta(days=1)),
        ("kiosk", item(61), datetime.now(UTC) - timedelta(days=40)),
        ("kiosk", item(62), datetime.now(UTC) + timedelta(days=2)),
    ]
    for login, barcode, when in cases:
        with terminal(server.port, login) as kiosk:
            kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT)))
            body = f"11NY{when:%Y%m%d   Z%H%M%S}{' ' * 18}AO{INSTITUTION}|AA{ADULT}|AB{barcode}|"
            assert kiosk.ask(body)[2:3] == b"1"
        assert loan_started(path, barcode).startswith(today)  # done now, under every rule


def test_a_card_merely_typed_into_01_is_not_blocked_and_the_answer_names_no_card(library):
    server, path = library
    before = rows(path, "SELECT count(*) FROM patrons_cardblock")[0][0]
    with terminal(server.port, "validity-only") as kiosk:
        known = kiosk.ask(f"01N{stamp()}AO{INSTITUTION}|ALtamper|AA{ADULT}|")
        unknown = kiosk.ask(f"01N{stamp()}AO{INSTITUTION}|ALtamper|AA29999999999999|")
        assert known.startswith(b"24" + b" " * 14) and field(known, "AF") == field(unknown, "AF")
        kept = kiosk.ask(f"01Y{stamp()}AO{INSTITUTION}|ALkept|AA29999999999998|")
        assert kept.startswith(b"24YY")  # the same answer whether or not the card exists
    assert rows(path, "SELECT count(*) FROM patrons_cardblock")[0][0] == before


def test_an_unknown_card_and_a_known_one_without_its_pin_get_the_same_words(library):
    server, _ = library
    with terminal(server.port, "validity-only") as kiosk:
        known = kiosk.ask(checkout_body(ADULT, item(70)))
        unknown = kiosk.ask(checkout_body("29999999999997", item(70)))
    assert field(known, "AF") == field(unknown, "AF") == "Please enter your PIN."


def test_a_terminal_disabled_or_given_a_new_password_gets_nothing_more(library):
    server, path = library
    with terminal(server.port, "to-disable") as kiosk:
        sent, answer = kiosk.request(patron_information_body(ADULT, demo_pin(ADULT)))
        assert field(answer, "AE") == "Avery Lindqvist"
        with sqlite3.connect(database(path)) as db:
            db.execute("UPDATE sip2_terminal SET password_hash = 'x' WHERE login = 'to-disable'")
        time.sleep(1.2)  # the server reads the terminal again at most once a second
        kiosk.send(sent)  # the same frame again: no longer answered from memory
        assert kiosk.receive().startswith(b"96")
        kiosk.send(b"97\r")
        assert kiosk.receive().startswith(b"96")


def test_a_connection_that_fails_to_log_in_is_closed_after_a_few_tries(library):
    server, _ = library
    with Connection(server.port) as kiosk:
        for _attempt in range(3):
            assert kiosk.ask(login_body("nobody", "wrong-password-1")).startswith(b"940")
        assert kiosk.closed_by_server()


def test_wrong_passwords_from_elsewhere_never_lock_the_kiosk_out(library):
    server, _ = library
    for _attempt in range(2):  # ten wrong passwords from another address
        with Connection(server.port, source="127.0.0.2") as stranger:
            for _try in range(3):
                stranger.ask(login_body("kiosk", "not-the-password"))
    with terminal(server.port):  # the kiosk itself still logs in
        pass


def test_digits_from_other_scripts_are_read_as_no_number(library):
    server, _ = library
    with terminal(server.port) as kiosk:
        answer = kiosk.ask(patron_information_body(ADULT, demo_pin(ADULT), "  Y       ", "²", "٣"))
    assert answer.startswith(b"64") and field(answer, "CQ") == "Y"


def test_a_lost_card_at_a_staff_attended_terminal_is_refused_in_words(library):
    server, path = library
    lost = "UPDATE patrons_patron SET card_lost_at = ? WHERE card_number = ?"
    with sqlite3.connect(database(path)) as db:
        db.execute(lost, ("2026-01-01 00:00:00", PARENT))
    try:
        with terminal(server.port, "attended") as kiosk:
            answer = kiosk.ask(checkout_body(PARENT, item(71)))
    finally:
        with sqlite3.connect(database(path)) as db:
            db.execute(lost, (None, PARENT))
    assert answer.startswith(b"120") and "lost" in field(answer, "AF").lower()


def test_the_screen_message_says_the_due_date_in_the_patrons_language(library):
    """AF is read by the patron: "Prêté. À rendre le 21 décembre 2026" for a French speaker;
    AH keeps the kiosk's own date stamp."""
    from datetime import date

    from tests.long_dates import french

    server, path = library
    with terminal(server.port, "attended") as kiosk:
        lent = kiosk.ask(checkout_body(FRENCH, item(80)))
    assert lent[2:3] == b"1", lent
    (due,) = rows(
        path,
        "SELECT l.due FROM circulation_loan l JOIN catalog_item i ON i.id = l.item_id "
        "WHERE i.barcode = ? AND l.closed_at IS NULL",
        item(80),
    )[0]
    due = date.fromisoformat(due)
    assert field(lent, "AF") == f"À rendre le {french(due)}", field(lent, "AF")
    assert field(lent, "AH") == f"{due:%Y%m%d}    235959"
