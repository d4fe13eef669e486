"""The SIP2 codec (3M Standard Interchange Protocol 2.00): frames in, messages out, and back.

A message is a two-digit code, fixed-length fields in an order the code defines, then
variable fields, each a two-letter tag, a value and a `|`. With error detection on, a frame
ends in `AY` + a sequence digit + `AZ` + four hex digits: the checksum is the two's complement
of the sum of every byte before it, `AZ` included, kept to 16 bits. Frames end in CR; kiosks
in the field also send CRLF or LF, so all three are accepted.

This module knows bytes and fields only: what a message means is `handlers`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

TERMINATOR = b"\r"
SEPARATOR = "|"


class FrameError(ValueError):
    """A frame that cannot be read as a SIP2 message: answered with 96 (please resend)."""


# Fixed fields of each request, in order: (name, length). "date" fields are 18 characters
# (YYYYMMDDZZZZHHMMSS). Lengths are the spec's; a request whose fixed part is short, or has
# letters where digits belong, is refused with 96.
REQUESTS: dict[str, tuple[tuple[str, int], ...]] = {
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
    "23": (("language", 3), ("date", 18)),
    "63": (("language", 3), ("date", 18), ("summary", 10)),
    "11": (("renewal_policy", 1), ("no_block", 1), ("date", 18), ("nb_due_date", 18)),
    "09": (("no_block", 1), ("date", 18), ("return_date", 18)),
    "17": (("date", 18),),
    "29": (("third_party", 1), ("no_block", 1), ("date", 18), ("nb_due_date", 18)),
    "65": (("date", 18),),
    "15": (("hold_mode", 1), ("date", 18)),
    "35": (("date", 18),),
    "37": (("date", 18), ("fee_type", 2), ("payment_type", 2), ("currency", 3)),
    "01": (("card_retained", 1), ("date", 18)),
    "25": (("date", 18),),
    "97": (),
}
# The fields a request must carry (beyond its fixed part) to mean anything.
REQUIRED: dict[str, tuple[str, ...]] = {
    "93": ("CN", "CO"),
    "23": ("AO", "AA"),
    "63": ("AO", "AA"),
    "11": ("AO", "AA", "AB"),
    "09": ("AO", "AB"),
    "17": ("AO", "AB"),
    "29": ("AO", "AA"),
    "65": ("AO", "AA"),
    "15": ("AO", "AA"),
    "35": ("AO", "AA"),
    "37": ("AO", "AA", "BV"),
    "01": ("AO", "AA"),
    "25": ("AO", "AA"),
}
# Fixed fields that hold one of a few characters, and those that hold digits.
FLAGS = {
    "uid_algorithm": "0123456789",
    "pwd_algorithm": "0123456789",
    "status_code": "012",
    "renewal_policy": "YN",
    "no_block": "YN",
    "third_party": "YN",
    "hold_mode": "+-*",
    "card_retained": "YN",
}
DIGITS = {"max_print_width", "language", "fee_type", "payment_type"}
DATES = {"date", "nb_due_date", "return_date"}
# 'nb due date' and 'return date' may be blank (all spaces) when the kiosk has none.
OPTIONAL_DATES = {"nb_due_date", "return_date"}


@dataclass
class Message:
    """A request as read: its code, fixed fields by name, variable fields by tag (the first
    of each; a repeated tag's later values in `repeated`), and its sequence number."""

    code: str
    fixed: dict[str, str]
    fields: dict[str, str]
    sequence: str | None = None
    checksum: str | None = None
    repeated: dict[str, list[str]] = field(default_factory=dict)

    def get(self, tag: str, default: str = "") -> str:
        return self.fields.get(tag, default)


def ascii_digits(text: str) -> bool:
    """0-9 only: str.isdigit() also says yes to "²" or "٣", which int() then refuses."""
    return text.isascii() and text.isdigit()


def number(text: str, most: int = 10**12) -> int | None:
    """A whole number a kiosk sent (a fee id, a position, a record number), or None."""
    text = text.strip()
    if not ascii_digits(text) or len(text) > 15:
        return None
    value = int(text)
    return value if value <= most else None


def checksum(data: bytes) -> str:
    """The four hex digits that make the frame's bytes (these, then the digits) sum to 0."""
    return f"{(-sum(data)) & 0xFFFF:04X}"


def split_frame(frame: bytes) -> tuple[bytes, str | None, str | None]:
    """The message body, and its sequence number and checksum when it carries them; the
    checksum is verified (FrameError when wrong)."""
    frame = frame.rstrip(b"\r\n")
    at = frame.rfind(b"AZ")
    if at != -1 and len(frame) - at == 6:
        given = frame[at + 2 :].decode("ascii", "replace").upper()
        if checksum(frame[: at + 2]) != given:
            raise FrameError("bad checksum")
        body = frame[:at]
        sequence = None
        if body[-3:-1] == b"AY" and body[-1:].isdigit():
            sequence, body = body[-1:].decode(), body[:-3]
        return body, sequence, given
    return frame, None, None


def parse(frame: bytes, encoding: str = "utf-8") -> Message:
    """Read one frame (its terminator optional). FrameError says what is wrong with it."""
    body, sequence, given = split_frame(frame)
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FrameError(f"not {encoding} at byte {exc.start}") from exc
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise FrameError("control character in the message")
    code = text[:2]
    if code not in REQUESTS:
        raise FrameError(f"unknown message {code!r}")
    fixed, rest = _fixed(code, text[2:])
    fields, repeated = _variable(rest)
    missing = [tag for tag in REQUIRED.get(code, ()) if tag not in fields]
    if missing:
        raise FrameError(f"message {code} lacks {', '.join(missing)}")
    return Message(code, fixed, fields, sequence, given, repeated)


def _fixed(code: str, text: str) -> tuple[dict[str, str], str]:
    fixed: dict[str, str] = {}
    at = 0
    for name, length in REQUESTS[code]:
        value = text[at : at + length]
        if len(value) != length:
            raise FrameError(f"message {code}: fixed field {name} is cut short")
        _check_fixed(code, name, value)
        fixed[name] = value
        at += length
    return fixed, text[at:]


def _check_fixed(code: str, name: str, value: str) -> None:
    if name in FLAGS and value not in FLAGS[name]:
        raise FrameError(f"message {code}: {name} cannot be {value!r}")
    if name in DIGITS and not ascii_digits(value):
        raise FrameError(f"message {code}: {name} must be digits")
    blank = name in OPTIONAL_DATES and not value.strip()
    if name in DATES and not blank and read_date(value) is None:
        raise FrameError(f"message {code}: {name} is not a SIP2 date")


def _variable(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    fields: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    if not text:
        return fields, repeated
    if not text.endswith(SEPARATOR):
        raise FrameError("variable field not ended by |")
    for part in text[:-1].split(SEPARATOR):
        if len(part) < 2 or not part[:2].isalpha() or not part[:2].isupper():
            raise FrameError(f"bad field {part[:2]!r}")
        tag, value = part[:2], part[2:]
        if tag in fields:
            repeated.setdefault(tag, []).append(value)
        else:
            fields[tag] = value
    return fields, repeated


# --- Responses --------------------------------------------------------------------------


def encode(
    code: str,
    fixed: list[str],
    fields: list[tuple[str, object]],
    *,
    encoding: str = "utf-8",
    sequence: str | None = None,
    checksummed: bool = False,
) -> bytes:
    """One response frame, terminated by CR. `fields` are (tag, value) pairs in order; a value
    of None is left out, "" is sent empty (a required field with nothing to say). Values lose
    any `|` or control character (they would break the frame). With a sequence number the
    frame carries AY and AZ (error detection); `checksummed` alone gives AZ (a 96)."""
    parts = [code, *fixed]
    for tag, value in fields:
        if value is None:
            continue
        parts.append(f"{tag}{clean(str(value))}{SEPARATOR}")
    data = "".join(parts).encode(encoding, "replace")
    if sequence is not None:
        data += f"AY{sequence}AZ".encode()
    elif checksummed:
        data += b"AZ"
    if sequence is not None or checksummed:
        data += checksum(data).encode()
    return data + TERMINATOR


def clean(value: str) -> str:
    return "".join(c for c in value if c != SEPARATOR and ord(c) >= 32 and ord(c) != 127)


def flag(value: bool, yes: str = "Y", no: str = "N") -> str:
    return yes if value else no


def count(value: int, width: int = 4) -> str:
    """A fixed-width count; a count past what fits says the most it can (9999)."""
    return f"{min(max(value, 0), 10**width - 1):0{width}d}"


# --- Dates ------------------------------------------------------------------------------


def sip_date(moment: datetime) -> str:
    """YYYYMMDDZZZZHHMMSS in UTC (zone "   Z"), as the spec allows, so kiosks in any time
    zone read the same instant."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y%m%d") + "   Z" + moment.strftime("%H%M%S")


def read_date(value: str) -> datetime | None:
    """A SIP2 date as an aware datetime: "   Z" is UTC; a blank or other zone is the
    library's local time (the caller gives it the zone); None when it is no date."""
    if len(value) != 18 or not ascii_digits(value[:8]) or not ascii_digits(value[12:]):
        return None
    try:
        moment = datetime.strptime(value[:8] + value[12:], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    zone = value[8:12]
    if zone.strip() in ("Z", "UTC", "GMT") or zone == "000Z":
        return moment.replace(tzinfo=UTC)
    return moment  # naive: local time, the caller makes it aware


def due_date_text(day) -> str:
    """A due date as a kiosk shows it: the end of that day in the library's own time (a blank
    zone), since a due date is a day where the library is."""
    return f"{day:%Y%m%d}    235959"
