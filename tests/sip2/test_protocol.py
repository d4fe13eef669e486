"""The SIP2 codec on its own: frames in, messages out and back, checksums, dates; and any bytes
at all either read as a message or refused with FrameError (the server answers 96), never
another exception."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libdesk.sip2.protocol import (
    REQUESTS,
    FrameError,
    checksum,
    due_date_text,
    encode,
    parse,
    read_date,
    sip_date,
    split_frame,
)

DATE = "20261129    101500"


def with_checksum(body: str, sequence: int = 3) -> bytes:
    data = f"{body}AY{sequence}AZ".encode()
    return data + checksum(data).encode() + b"\r"


def test_a_checkout_reads_into_its_fixed_and_variable_fields():
    message = parse(with_checksum(f"11YN{DATE}{' ' * 18}AOKPL|AA2900|AB3900|AC|"))
    assert message.code == "11" and message.sequence == "3"
    assert message.fixed == {
        "renewal_policy": "Y",
        "no_block": "N",
        "date": DATE,
        "nb_due_date": " " * 18,
    }
    assert (message.get("AO"), message.get("AA"), message.get("AB"), message.get("AC")) == (
        "KPL",
        "2900",
        "3900",
        "",
    )


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n", b""])
def test_every_line_ending_kiosks_send_is_read(ending):
    frame = with_checksum("9900302.00")[:-1] + ending
    assert parse(frame).fixed["protocol_version"] == "2.00"


def test_a_wrong_checksum_is_refused_and_a_lower_case_one_accepted():
    good = with_checksum("9900302.00")
    bad = good[:-2] + (b"0" if good[-2:-1] != b"0" else b"1") + b"\r"
    with pytest.raises(FrameError, match="checksum"):
        parse(bad)
    assert parse(good[:-5] + good[-5:-1].lower() + b"\r").code == "99"


def test_the_checksum_makes_the_frame_sum_to_zero():
    data = b"9300CNkiosk|COkiosk-demo|AY0AZ"
    assert (sum(data) + int(checksum(data), 16)) & 0xFFFF == 0


@pytest.mark.parametrize(
    "body, problem",
    [
        ("XX", "unknown message"),
        ("11Y", "cut short"),
        (f"11XN{DATE}{' ' * 18}AOKPL|AA1|AB2|", "renewal_policy"),
        (f"11YN2026113    101500{' ' * 18}AOKPL|AA1|AB2|", "date"),
        (f"63ABC{DATE}Y         AOKPL|AA1|", "language must be digits"),
        (f"11YN{DATE}{' ' * 18}AOKPL|AB2|", "lacks AA"),
        (f"23001{DATE}AOKPL|AA1", "not ended by |"),
        (f"23001{DATE}AOKPL|aa1|", "bad field"),
        (f"23001{DATE}AOKPL|AA1\x07|", "control character"),
    ],
)
def test_a_malformed_message_names_what_is_wrong(body, problem):
    with pytest.raises(FrameError, match=problem):
        parse(body.encode())


def test_bytes_that_are_not_the_terminals_encoding_are_refused():
    with pytest.raises(FrameError, match="not utf-8"):
        parse(f"23001{DATE}AOKPL|AA".encode() + b"\xff|")
    assert parse(f"23001{DATE}AOKPL|AAé|".encode("cp850"), "cp850").get("AA") == "é"


def test_a_response_is_one_frame_with_its_checksum_and_no_separator_in_values():
    frame = encode("24", [" " * 14, "001", DATE], [("AO", "KPL"), ("AE", "A|B\rC"), ("BL", None)])
    assert frame.endswith(b"\r") and frame.count(b"\r") == 1
    assert b"AEABC|" in frame and b"BL" not in frame
    framed = encode("94", ["1"], [], sequence="7")
    assert framed.startswith(b"941AY7AZ") and split_frame(framed)[1:] == (
        "7",
        framed[8:12].decode(),
    )
    resend = encode("96", [], [], checksummed=True)
    assert resend.startswith(b"96AZ") and split_frame(resend)[1] is None


def test_dates_are_utc_with_a_z_zone_and_due_dates_local_days():
    moment = datetime(2026, 11, 29, 15, 4, 5, tzinfo=UTC)
    assert sip_date(moment) == "20261129   Z150405"
    assert read_date("20261129   Z150405") == moment
    assert read_date(DATE) == datetime(2026, 11, 29, 10, 15)  # naive: the library's time
    assert read_date("2026112     150405") is None and read_date("20261329    150405") is None
    assert due_date_text(date(2026, 12, 21)) == "20261221    235959"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_message_or_a_frame_error(data):
    read_or_refused(data)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["23", "63", "11", "09", "17", "29", "65", "15", "35", "37", "01", "25"]),
    st.text(max_size=80),
)
def test_any_text_after_a_known_code_is_a_message_or_a_frame_error(code, rest):
    read_or_refused(with_checksum(code + rest))


def read_or_refused(frame: bytes) -> None:
    """Read as a message of a known code, with its fixed fields whole, or a FrameError."""
    try:
        message = parse(frame)
    except FrameError:
        return
    assert message.code in REQUESTS
    assert [len(message.fixed[name]) for name, _ in REQUESTS[message.code]] == [
        length for _, length in REQUESTS[message.code]
    ]
