"""The SIP2 server: asyncio reads frames and writes answers; the work (Django's ORM, which is
synchronous) runs on a small pool of threads, one message at a time per connection.

A kiosk retries when an answer is slow or lost, and it may lose its connection or the server
may restart between a request and its answer. So: every request is done in one transaction
before its answer is written; an identical retry on the connection (same sequence number and
checksum) gets the same bytes without doing the work again; and the services themselves make
a repeat after a restart harmless (a checkout of an item already lent to the patron answers
with its due date, and so on). Nothing a kiosk sends can stop the server: a frame it cannot
read gets 96 ("please resend"), and bytes that are not SIP2 at all close that connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import DatabaseError, connection

from libdesk.core import metrics
from libdesk.sip2 import handlers
from libdesk.sip2.protocol import FrameError, encode, parse
from libdesk.sip2.session import KioskSession

log = logging.getLogger(__name__)
TLS_RECORD = 0x16  # the first byte of a TLS handshake: a client speaking TLS to the plain port


def resend(session: KioskSession) -> bytes:
    """96, "please resend": with a checksum (never a sequence number) where the terminal
    uses error detection, as the spec's "Checksums and Sequence Numbers" says."""
    return encode("96", [], [], checksummed=session.error_detection)


class NotSip2(Exception):
    """Bytes that are no SIP2 frame at all (an oversize frame, a TLS hello): the connection
    closes, since nothing sensible can follow."""


@dataclass(frozen=True)
class Limits:
    max_frame: int = 4096
    login_seconds: float = 30
    idle_seconds: float = 300
    # Threads doing the database work: on SQLite one (it has one writer; more threads only
    # wait and cost CPU), on PostgreSQL several.
    workers: int = 1
    max_connections: int = 256
    max_per_address: int = 64
    # A connection that has not logged in after this many frames, or failed this many logins,
    # is closed: nothing a kiosk does needs more, and guessing passwords should cost a
    # connection each time.
    frames_before_login: int = 10
    failed_logins: int = 3
    # Password and PIN hashes run on their own small pool, so that a flood of logins (whoever
    # can reach the port can send them) or of PIN checks never delays other kiosks' work.
    login_workers: int = 2


# The latency histogram's route for each message: its code and what it asks for.
MESSAGE_NAMES = {
    **{code: f"{code} {handler.run.__name__}" for code, handler in handlers.HANDLERS.items()},
    "93": "93 login",
    "97": "97 resend",
}


def respond(session: KioskSession, frame: bytes) -> bytes:
    """The answer to one frame, as bytes to write, timed for /metrics. Runs on a worker
    thread."""
    started = time.perf_counter()
    response = _answer(session, frame)
    route = MESSAGE_NAMES.get(frame[:2].decode("latin-1"), "unreadable")
    outcome = "resend" if response.startswith(b"96") else "answered"
    metrics.observe_request("sip2", route, "SIP2", outcome, time.perf_counter() - started)
    return response


def _answer(session: KioskSession, frame: bytes) -> bytes:
    # The thread's database connection is kept from one message to the next (opening it
    # again cost more than the checkout's own SQL); one that failed is closed below.
    try:
        return _respond(session, frame)
    except DatabaseError:
        # The transaction rolled back: nothing was done, and the kiosk resends after a 96.
        log.warning("SIP2: the database refused a request; answered 96 (resend)")
        connection.close()
        return resend(session)
    except Exception:
        log.exception("SIP2: a request failed; answered 96 (resend)")
        return resend(session)


def _respond(session: KioskSession, frame: bytes) -> bytes:
    body = frame.rstrip(b"\r\n")
    if session.terminal is not None and not session.still_allowed():
        return resend(session)  # disabled, or a new password, since it logged in
    if session.last_request is not None and body == session.last_request:
        return session.last_response  # a kiosk's retry: the same answer, the work not redone
    try:
        message = parse(body, session.encoding if session.terminal else _login_encoding(body))
    except FrameError as error:
        log.info("SIP2: unreadable frame (%s); answered 96", _shape(error))
        return resend(session)
    if message.code == "97":
        return session.last_response or resend(session)
    if message.code != "93" and session.terminal is None:
        return resend(session)  # log in first
    if session.error_detection and message.checksum is None:
        return resend(session)  # this terminal sends checksums: a frame without one was mangled
    if message.code == "93":
        reply = handlers.log_in(session, message)
    else:
        reply = handlers.handle(session, message)
    sequence = message.sequence if message.checksum is not None else None
    if sequence is None and message.checksum is not None:
        sequence = "0"
    response = encode(*reply, encoding=session.encoding, sequence=sequence)
    if message.checksum is not None:
        session.remember(body, response)
    else:
        session.remember(b"", response)  # 97 answers it; nothing to match a retry against
    return response


def hashes_a_secret(frame: bytes) -> bool:
    """A login (93), or a message carrying a patron's PIN (AD): an argon2 hash, about 100 ms,
    done on the small pool of its own so that it never holds up other kiosks' work."""
    return frame.lstrip()[:2] == b"93" or b"|AD" in frame


def _login_encoding(body: bytes) -> str:
    """Before login the terminal's encoding is unknown: UTF-8, or code page 850 (any bytes
    read as something there) for an older kiosk's login."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp850"
    return "utf-8"


def _shape(error: FrameError) -> str:
    """What was wrong, never the frame (it may hold a PIN or a card number)."""
    return str(error).split(" at byte")[0][:80]


class FrameReader:
    """Frames from a stream, ended by CR, LF or CRLF; empty lines are skipped."""

    def __init__(self, reader: asyncio.StreamReader, max_frame: int) -> None:
        self.reader, self.max_frame, self.buffer = reader, max_frame, b""
        self.first = True

    async def next(self) -> bytes | None:
        while True:
            frame = self._take()
            if frame is not None:
                return frame
            chunk = await self.reader.read(4096)
            if not chunk:
                return None
            if self.first and chunk[0] == TLS_RECORD:
                raise NotSip2("a TLS handshake on the plain port")
            self.first = False
            self.buffer += chunk
            if len(self.buffer) > self.max_frame and self._end() is None:
                raise NotSip2("a frame longer than the limit")

    def _end(self) -> int | None:
        ends = [at for at in (self.buffer.find(b"\r"), self.buffer.find(b"\n")) if at != -1]
        return min(ends) if ends else None

    def _take(self) -> bytes | None:
        while (end := self._end()) is not None:
            frame, self.buffer = self.buffer[:end], self.buffer[end + 1 :]
            if len(frame) > self.max_frame:
                raise NotSip2("a frame longer than the limit")
            if frame.strip():
                return frame + b"\r"
        return None


class Server:
    def __init__(self, limits: Limits, tls: ssl.SSLContext | None = None) -> None:
        self.limits, self.tls = limits, tls
        self.pool = ThreadPoolExecutor(limits.workers, thread_name_prefix="sip2")
        self.logins = ThreadPoolExecutor(limits.login_workers, thread_name_prefix="sip2-login")
        self.connections = 0
        self.by_address: Counter[str] = Counter()

    async def serve(self, bind: str, port: int, ready: Callable[[str], None]) -> None:
        server = await asyncio.start_server(
            self.connection, bind, port, ssl=self.tls, limit=self.limits.max_frame * 2
        )
        async with server:
            where = ", ".join(_where(sock.getsockname()) for sock in server.sockets)
            ready(where)
            await server.serve_forever()

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if peer else ""
        if (
            self.connections >= self.limits.max_connections
            or self.by_address[address] >= self.limits.max_per_address
        ):
            log.warning("SIP2: too many connections; one more was refused")
            writer.close()
            return
        self.connections += 1
        self.by_address[address] += 1
        try:
            await self._converse(reader, writer, KioskSession(address=address))
        except TimeoutError:
            log.info("SIP2: a connection was idle, or did not log in, in time; closed")
        except NotSip2 as reason:
            log.info("SIP2: closed a connection that sent %s", reason)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            self.connections -= 1
            self.by_address[address] -= 1
            if not self.by_address[address]:
                del self.by_address[address]
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 5)

    async def _converse(self, reader, writer, session: KioskSession) -> None:
        """Frames in, answers out, one at a time. Before login the connection has one deadline
        from its start and a few frames; after it, each wait is the idle time."""
        limits, loop = self.limits, asyncio.get_running_loop()
        frames = FrameReader(reader, limits.max_frame)
        login_by = loop.time() + limits.login_seconds
        unlogged = 0
        while True:
            wait = limits.idle_seconds if session.terminal else login_by - loop.time()
            frame = await asyncio.wait_for(frames.next(), max(wait, 0))
            if frame is None:
                return
            pool = self.logins if hashes_a_secret(frame) else self.pool
            answer = await loop.run_in_executor(pool, respond, session, frame)
            writer.write(answer)  # one write per answer
            await asyncio.wait_for(writer.drain(), limits.idle_seconds)
            if session.terminal is None:
                unlogged += 1
                if unlogged >= limits.frames_before_login or (
                    session.failed_logins >= limits.failed_logins
                ):
                    log.info("SIP2: closed a connection that did not log in")
                    return
            else:
                unlogged = 0


def _where(address) -> str:
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def tls_context(cert: str, key: str) -> ssl.SSLContext | None:
    """TLS for kiosks that support it (certificate and key from settings), or None."""
    if not cert and not key:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
