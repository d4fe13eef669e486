"""Malformed frames over a raw socket (issue 14): each gets 96, a proper refusal, or a closed
connection, as the contract says, and afterwards a fresh connection still logs in, answers 99
and checks an item out and in. One server process for the whole module, with short login and
idle timeouts so that the timeout cases are quick."""

from __future__ import annotations

import contextlib
import random
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable

import pytest

from tests.sip2.server_process import (
    ADULT,
    FRENCH,
    INSTITUTION,
    Closed,
    Connection,
    Server,
    checkin_body,
    checkout_body,
    checksum,
    checksum_ok,
    demo_pin,
    field,
    frame,
    item,
    login_body,
    patron_information_body,
    prepare_library,
    stamp,
    status_body,
)

# A real server process on SQLite, whatever database the run uses: CI runs these once.
pytestmark = [pytest.mark.slow, pytest.mark.once, pytest.mark.xdist_group("sip2-malformed")]

LOGIN_SECONDS, IDLE_SECONDS, MAX_FRAME = 3, 4, 4096
PROBE_ITEM = item(99)  # checked out and in again after every case


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    library = prepare_library(tmp_path_factory.mktemp("sip2-malformed"))
    with Server(
        library,
        LIBDESK_SIP2_LOGIN_SECONDS=str(LOGIN_SECONDS),
        LIBDESK_SIP2_IDLE_SECONDS=str(IDLE_SECONDS),
        LIBDESK_SIP2_MAX_FRAME=str(MAX_FRAME),
    ) as running:
        yield running


def answer(conn: Connection, timeout: float = 10) -> bytes | None:
    """The next response, or None when the server closed the connection instead."""
    try:
        return conn.receive(timeout)
    except Closed:
        return None


def is_96(response: bytes | None) -> bool:
    return response is not None and response.startswith(b"96") and response.endswith(b"\r")


def refused_login(response: bytes | None) -> bool:
    """Before login: 94 with ok=0, or 96 (the contract allows either)."""
    return is_96(response) or (response is not None and response.startswith(b"940"))


def still_open(conn: Connection) -> None:
    """The connection survived: a status request on it is answered."""
    data = frame(status_body(), conn.next_seq())
    conn.send(data)
    response = conn.receive()
    assert response.startswith(b"98"), response


def logged_in(port: int) -> Connection:
    conn = Connection(port)
    conn.login()
    return conn


# The cases ---------------------------------------------------------------------------------


def bad_checksum(port):
    with logged_in(port) as conn:
        data = bytearray(frame(status_body(), conn.next_seq()))
        data[-2] = ord("0") if data[-2] != ord("0") else ord("1")  # last checksum digit
        conn.send(bytes(data))
        assert is_96(conn.receive())
        still_open(conn)


def checksum_not_hex(port):
    with logged_in(port) as conn:
        conn.send(status_body().encode() + b"AY1AZZZZZ\r")
        assert is_96(conn.receive())
        still_open(conn)


def sequence_not_a_digit(port):
    with logged_in(port) as conn:
        prefix = status_body().encode() + b"AYXAZ"
        conn.send(prefix + checksum(prefix) + b"\r")
        assert is_96(conn.receive())
        still_open(conn)


def unknown_message_code(port):
    with logged_in(port) as conn:
        conn.send(frame(f"88{stamp()}AO{INSTITUTION}|", conn.next_seq()))
        assert is_96(conn.receive())
        still_open(conn)


def letters_for_a_code(port):
    with logged_in(port) as conn:
        conn.send(frame("XYhello|", conn.next_seq()))
        assert is_96(conn.receive())
        still_open(conn)


def code_only(port):
    with logged_in(port) as conn:
        conn.send(frame("11", conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"120"), response
        still_open(conn)


def truncated_fixed_part(port):
    with logged_in(port) as conn:
        conn.send(frame("11NN2026", conn.next_seq()))
        assert is_96(conn.receive())
        still_open(conn)


def short_summary_field(port):
    """63 with a 9-character summary: every later fixed field is off by one."""
    with logged_in(port) as conn:
        body = f"63001{stamp()}{' ' * 9}AO{INSTITUTION}|AA{ADULT}|AD{demo_pin(ADULT)}|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or (
            response.startswith(b"64") and field(response, "AE") in ("", None)
        )
        still_open(conn)


def long_status_fixed_part(port):
    with logged_in(port) as conn:
        conn.send(frame("990030002.00", conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"98"), response
        still_open(conn)


def short_status_fixed_part(port):
    with logged_in(port) as conn:
        conn.send(frame("990", conn.next_seq()))
        assert is_96(conn.receive())
        still_open(conn)


def non_digit_dates(port):
    with logged_in(port) as conn:
        body = f"11NN2026XXYY    12ab56{' ' * 18}AO{INSTITUTION}|AA{ADULT}|AB{item(98)}|AC|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"120"), response
        still_open(conn)


def missing_required_item(port):
    with logged_in(port) as conn:
        body = f"11NN{stamp()}{' ' * 18}AO{INSTITUTION}|AA{ADULT}|AC|AD{demo_pin(ADULT)}|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"120"), response
        still_open(conn)


def missing_institution(port):
    with logged_in(port) as conn:
        conn.send(frame(f"17{stamp()}AB{item(5)}|", conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"18"), response
        still_open(conn)


def another_institution(port):
    """AO must be the terminal's: a checkout for another institution is refused."""
    with logged_in(port) as conn:
        body = f"11NN{stamp()}{' ' * 18}AOELSEWHERE|AA{ADULT}|AB{item(97)}|AC|AD{demo_pin(ADULT)}|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"120"), response
        still_open(conn)


def control_characters_in_a_field(port):
    with logged_in(port) as conn:
        body = f"17{stamp()}AO{INSTITUTION}|AB39\x01\x0b\x1b[2J0000001|AC|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"18"), response
        assert b"\x1b" not in response and b"\x01" not in response
        still_open(conn)


def nul_byte(port):
    with logged_in(port) as conn:
        conn.send(frame(f"17{stamp()}AO{INSTITUTION}|AB3900\x00000000001|AC|", conn.next_seq()))
        response = answer(conn)
        assert response is None or is_96(response) or response.startswith(b"18"), response


def invalid_utf8(port):
    with logged_in(port) as conn:
        body = f"17{stamp()}AO{INSTITUTION}|AB".encode() + b"\xff\xfe\xc3(" + b"|AC|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"18"), response
        response.decode("utf-8")  # whatever it says, it says in UTF-8
        still_open(conn)


def latin1_name(port):
    """cp850/latin-1 bytes on a UTF-8 terminal: 'é' as 0xE9."""
    with logged_in(port) as conn:
        body = f"63001{stamp()}{' ' * 10}AO{INSTITUTION}|AA".encode() + b"Ren\xe9|AD1|"
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"64"), response
        response.decode("utf-8")
        still_open(conn)


def cr_only(port):
    with Connection(port) as conn:
        conn.send(frame(login_body(), 0, end=b"\r"))
        assert conn.receive().startswith(b"941")
        still_open(conn)


def lf_only(port):
    with Connection(port) as conn:
        conn.send(frame(login_body(), 0, end=b"\n"))
        assert conn.receive().startswith(b"941")
        conn.send(frame(status_body(), 1, end=b"\n"))
        assert conn.receive().startswith(b"98")


def crlf(port):
    """The LF after a CR is part of the terminator: no empty frame, no extra 96."""
    with Connection(port) as conn:
        conn.send(frame(login_body(), 0, end=b"\r\n"))
        assert conn.receive().startswith(b"941")
        conn.send(frame(status_body(), 1, end=b"\r\n"))
        assert conn.receive().startswith(b"98")
        conn.send(frame(status_body(), 2, end=b"\r\n"))
        assert conn.receive().startswith(b"98")


def empty_lines(port):
    """Blank lines are ignored or answered 96; the login after them is answered."""
    with Connection(port) as conn:
        conn.send(b"\r\r\n\n   \r")
        conn.send(frame(login_body(), 0))
        for _ in range(6):
            response = conn.receive()
            if response.startswith(b"94"):
                break
            assert is_96(response), response
        assert response.startswith(b"941"), response
        still_open(conn)


def slow_sender(port):
    """A byte at a time, 15 ms apart: still one frame, still answered."""
    with Connection(port) as conn:
        for byte in frame(login_body(), 0):
            conn.send(bytes([byte]))
            time.sleep(0.015)
        assert conn.receive().startswith(b"941")


def split_at_the_terminator(port):
    with Connection(port) as conn:
        data = frame(login_body(), 0, end=b"\r\n")
        conn.send(data[:-2])
        time.sleep(0.2)
        conn.send(b"\r")
        assert conn.receive().startswith(b"941")
        time.sleep(0.2)
        conn.send(b"\n" + frame(status_body(), 1))
        assert conn.receive().startswith(b"98")


def two_frames_in_one_packet(port):
    with Connection(port) as conn:
        conn.send(frame(login_body(), 0) + frame(status_body(), 1))
        assert conn.receive().startswith(b"941")
        assert conn.receive().startswith(b"98")


def frame_without_terminator_then_closed(port):
    with Connection(port) as conn:
        conn.send(frame(login_body(), 0)[:-1])
    with Connection(port) as conn:
        conn.login()
        conn.send(frame(status_body(), 1)[:-1])
        time.sleep(0.1)


def truncated_frame_then_closed(port):
    with logged_in(port) as conn:
        conn.send(frame(checkout_body(ADULT, item(96), demo_pin(ADULT)), conn.next_seq())[:30])


def oversize_frame_without_terminator(port):
    """Past the cap with no CR in sight: the server may close; it must not buffer forever."""
    with logged_in(port) as conn:
        try:
            conn.send(b"17" + b"A" * (MAX_FRAME * 4))
        except OSError:
            return
        response = answer(conn)
        assert response is None or is_96(response), response


def oversize_frame_with_terminator(port):
    with logged_in(port) as conn:
        body = f"17{stamp()}AO{INSTITUTION}|AB{'9' * (MAX_FRAME + 100)}|AC|"
        try:
            conn.send(frame(body, conn.next_seq()))
        except OSError:
            return
        response = answer(conn)
        assert response is None or is_96(response), response


def huge_field_within_the_cap(port):
    """A 3,000-character card number: under the frame cap, far over any field's sense."""
    with logged_in(port) as conn:
        conn.send(frame(patron_information_body("2" * 3000, "1234"), conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"64"), response
        if response.startswith(b"64"):
            assert field(response, "BL") in ("N", None) and field(response, "CQ") in ("N", None)
        still_open(conn)


def thousand_unknown_fields(port):
    with logged_in(port) as conn:
        body = f"17{stamp()}AO{INSTITUTION}|AB{item(4)}|" + "XX1|" * 900
        conn.send(frame(body, conn.next_seq()))
        response = conn.receive()
        assert is_96(response) or response.startswith(b"18"), response
        still_open(conn)


def delimiters_only(port):
    with logged_in(port) as conn:
        conn.send(frame("|||||||", conn.next_seq()))
        assert is_96(conn.receive())
        still_open(conn)


def garbage_after_login(port):
    with logged_in(port) as conn:
        conn.send(b"hello, is this the library?\r")
        assert is_96(conn.receive())
        still_open(conn)


def random_bytes(port):
    rng = random.Random(14)
    with logged_in(port) as conn:
        junk = bytes(rng.randrange(256) for _ in range(600)).replace(b"\r", b"").replace(b"\n", b"")
        conn.send(junk + b"\r")
        response = answer(conn)
        assert response is None or is_96(response), response


def tls_client_hello(port):
    """A TLS ClientHello on the plain port: answered 96 or the connection closed (at once, or
    by the login timeout), never a hang."""
    context = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    handshake = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        handshake.do_handshake()
    hello = outgoing.read()
    assert hello[:1] == b"\x16"  # a TLS handshake record
    with Connection(port) as conn:
        conn.send(hello)
        response = answer(conn, LOGIN_SECONDS + 10)
        assert response is None or is_96(response), response


def resend_before_any_response(port):
    with Connection(port) as conn:
        conn.send(frame("97", None))
        response = answer(conn)
        assert response is None or refused_login(response), response


def resend_repeats_the_last_response(port):
    with logged_in(port) as conn:
        first = conn.ask(status_body())
        conn.send(frame("97", None))
        assert conn.receive() == first


def message_before_login(port):
    with Connection(port) as conn:
        conn.send(frame(status_body(), 0))
        response = answer(conn)
        assert response is None or refused_login(response), response


def checkout_before_login(port):
    with Connection(port) as conn:
        conn.send(frame(checkout_body(ADULT, item(95), demo_pin(ADULT)), 0))
        response = answer(conn)
        assert response is None or refused_login(response), response
    with logged_in(port) as conn:
        info = conn.ask(f"17{stamp()}AO{INSTITUTION}|AB{item(95)}|AC|")
        assert info.startswith(b"1803"), info  # still available: nothing was lent


def wrong_terminal_password(port):
    with Connection(port) as conn:
        response = conn.ask(login_body(password="not-the-password"))
        assert response.startswith(b"940"), response
        conn.send(frame(status_body(), conn.next_seq()))
        response = answer(conn)
        assert response is None or refused_login(response), response


def login_missing_its_fields(port):
    with Connection(port) as conn:
        conn.send(frame("9300", 0))
        response = answer(conn)
        assert response is None or refused_login(response), response


def second_login_on_a_connection(port):
    with logged_in(port) as conn:
        assert conn.ask(login_body()).startswith(b"94")
        still_open(conn)


def no_checksum_with_error_detection_on(port):
    with logged_in(port) as conn:
        conn.send(status_body().encode() + b"\r")
        response = conn.receive()
        assert is_96(response) or response.startswith(b"98"), response
        still_open(conn)


def wrong_pin_gives_nothing_away(port):
    with logged_in(port) as conn:
        response = conn.ask(patron_information_body(FRENCH, "0000000000", "  Y       "))
        assert response.startswith(b"64"), response
        assert field(response, "CQ") == "N"
        assert field(response, "AE") in ("", None) and field(response, "AU") is None
        assert response[37:61] == b" " * 24 or response[37:61] == b"0000" * 6, response


def closes_before_reading_the_answer(port):
    for _ in range(5):
        with logged_in(port) as conn:
            conn.send(frame(status_body(), conn.next_seq()))
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def many_connections_at_once(port):
    opened = []
    try:
        for _ in range(60):
            opened.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        for n, sock in enumerate(opened[:20]):
            sock.sendall(frame(login_body(), n % 10))
    finally:
        for sock in opened:
            sock.close()


def silent_client_before_login(port):
    with Connection(port) as conn:
        started = time.monotonic()
        assert conn.closed_by_server(LOGIN_SECONDS + 10)
        assert time.monotonic() - started >= LOGIN_SECONDS - 0.5


def half_a_frame_then_silence(port):
    with Connection(port) as conn:
        conn.send(frame(login_body(), 0)[:10])
        assert conn.closed_by_server(LOGIN_SECONDS + 10)


def silent_client_after_login(port):
    with logged_in(port) as conn:
        started = time.monotonic()
        assert conn.closed_by_server(IDLE_SECONDS + 10)
        assert time.monotonic() - started >= IDLE_SECONDS - 0.5


def concurrent_slow_and_fast(port):
    """A slow sender does not hold up another terminal."""
    slow = Connection(port)
    stop = threading.Event()

    def dribble():
        data = frame(login_body(), 0)
        for byte in data:
            if stop.is_set():
                return
            slow.send(bytes([byte]))
            time.sleep(0.02)

    thread = threading.Thread(target=dribble)
    thread.start()
    try:
        started = time.monotonic()
        with logged_in(port) as fast:
            fast.ask(status_body())
        assert time.monotonic() - started < 2
    finally:
        thread.join()
        stop.set()
        assert slow.receive().startswith(b"941")
        slow.close()


CASES: dict[str, Callable[[int], None]] = {
    case.__name__: case
    for case in (
        bad_checksum,
        checksum_not_hex,
        sequence_not_a_digit,
        unknown_message_code,
        letters_for_a_code,
        code_only,
        truncated_fixed_part,
        short_summary_field,
        long_status_fixed_part,
        short_status_fixed_part,
        non_digit_dates,
        missing_required_item,
        missing_institution,
        another_institution,
        control_characters_in_a_field,
        nul_byte,
        invalid_utf8,
        latin1_name,
        cr_only,
        lf_only,
        crlf,
        empty_lines,
        slow_sender,
        split_at_the_terminator,
        two_frames_in_one_packet,
        frame_without_terminator_then_closed,
        truncated_frame_then_closed,
        oversize_frame_without_terminator,
        oversize_frame_with_terminator,
        huge_field_within_the_cap,
        thousand_unknown_fields,
        delimiters_only,
        garbage_after_login,
        random_bytes,
        tls_client_hello,
        resend_before_any_response,
        resend_repeats_the_last_response,
        message_before_login,
        checkout_before_login,
        wrong_terminal_password,
        login_missing_its_fields,
        second_login_on_a_connection,
        no_checksum_with_error_detection_on,
        wrong_pin_gives_nothing_away,
        closes_before_reading_the_answer,
        many_connections_at_once,
        silent_client_before_login,
        half_a_frame_then_silence,
        silent_client_after_login,
        concurrent_slow_and_fast,
    )
}


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_input_is_answered_and_the_server_keeps_lending(server, case):
    CASES[case](server.port)
    assert server.alive, "".join(server.output)
    with Connection(server.port) as fresh:
        fresh.login()
        status = fresh.ask(status_body())
        assert status.startswith(b"98Y") and checksum_ok(status), status
        lent = fresh.ask(checkout_body(ADULT, PROBE_ITEM, demo_pin(ADULT)))
        assert lent.startswith(b"121") and checksum_ok(lent), lent
        returned = fresh.ask(checkin_body(PROBE_ITEM))
        assert returned.startswith(b"101") and checksum_ok(returned), returned
