"""`libdesk serve_web`: the web server alone; `libdesk run` starts it beside the worker.

By default it serves with one process per core (LIBDESK_WEB_PROCESSES), each with
LIBDESK_WEB_THREADS waitress threads: Python runs one thread at a time per process, so threads
alone leave all but one core idle while a page is rendered. The command binds the listening
socket itself, then starts that many worker processes (`serve_web --listen-fds`), each a fresh
interpreter that inherits the socket and accepts from it. The port answers once the first of
them listens, so `libdesk run` calls the web service ready only when a request can be served.
The worker processes end with it: on SIGTERM it passes the signal on and waits for them, and if
it is killed outright the kernel kills them too (Linux's parent-death signal; elsewhere they
notice within a second). A worker that dies while the others serve is replaced at once; one
that dies within `WORKER_START_SECONDS` of its start ends the whole web service, whose restart
(with its growing delay) is then `libdesk run`'s business, so a broken setting cannot spin here.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.core.supervisor import describe_exit

WORKER_START_SECONDS = 10.0
"""A web process that ends sooner than this after its start is a start-up failure."""

STOP_GRACE_SECONDS = 8.0
"""On SIGTERM the web processes get this long to finish their requests before SIGKILL (under
`libdesk run`'s own 10 s grace for the whole web service)."""

PR_SET_PDEATHSIG = 1


def _interrupt(signum: int, frame: object) -> None:
    """End the server on SIGTERM the same way Ctrl-C does."""
    raise KeyboardInterrupt


def listening_sockets(bind: str, port: int) -> list[socket.socket]:
    """Bound (not yet listening) sockets for `bind`:`port`, made as waitress makes them: one
    per address the name resolves to, address reuse on, IPv6 sockets IPv6 only."""
    sockets = []
    found = socket.getaddrinfo(
        bind.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    for family, kind, proto, _name, address in found:
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind(address)
        except OSError as error:
            sock.close()
            for other in sockets:
                other.close()
            raise CommandError(f"the web server cannot listen on {bind}:{port}: {error}") from error
        sockets.append(sock)
    return sockets


def serve_on(sockets: list[socket.socket], threads: int) -> None:
    """Serve libdesk with waitress on these sockets until SIGTERM or Ctrl-C."""
    from waitress import serve

    from libdesk.wsgi import application

    proxy = {}
    if settings.TRUSTED_PROXY:
        proxy = {
            "trusted_proxy": settings.TRUSTED_PROXY,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        }
    try:
        serve(
            application,
            sockets=sockets,
            threads=threads,
            ident="libdesk",
            clear_untrusted_proxy_headers=True,
            _quiet=True,
            **proxy,
        )
    except KeyboardInterrupt:
        return


def end_with_parent(parent: int) -> None:
    """Make this web process end when the one that started it ends, even by SIGKILL: then
    nothing is left holding the port when `libdesk run` starts the web service again."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        linux = sys.platform.startswith("linux") and libc.prctl(PR_SET_PDEATHSIG, 9) == 0
    except (OSError, AttributeError):
        linux = False
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)
    if linux:
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="libdesk-parent-watch", daemon=True).start()


class Command(BaseCommand):
    help = (
        "Serve the web pages and the API with waitress, in LIBDESK_WEB_PROCESSES processes "
        "(used by `libdesk run`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", required=True)
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.LIBDESK["WEB_PROCESSES"],
            help="web processes (LIBDESK_WEB_PROCESSES; default one per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.LIBDESK["WEB_THREADS"],
            help="threads in each web process (LIBDESK_WEB_THREADS; default 2)",
        )
        # Internal: a web process started by another, serving on the sockets it inherited.
        parser.add_argument("--listen-fds", default="", help="(internal)")
        parser.add_argument("--parent", type=int, default=0, help="(internal)")

    def handle(
        self,
        *args: object,
        bind: str,
        port: int,
        processes: int,
        threads: int,
        listen_fds: str,
        parent: int,
        **_: object,
    ) -> None:
        if processes < 1 or threads < 1:
            raise CommandError("the web server needs at least 1 process and 1 thread")
        signal.signal(signal.SIGTERM, _interrupt)
        if listen_fds:
            end_with_parent(parent)
            serve_on([socket.socket(fileno=int(fd)) for fd in listen_fds.split(",")], threads)
            return
        sockets = listening_sockets(bind, port)
        if processes == 1:
            serve_on(sockets, threads)
            return
        WebProcesses(sockets, bind, port, processes, threads, self._log).run()

    def _log(self, message: str) -> None:
        self.stderr.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} libdesk web: {message}")
        self.stderr.flush()


class WebProcesses:
    """`count` web processes on the same sockets, kept at that count until SIGTERM/Ctrl-C."""

    def __init__(self, sockets, bind: str, port: int, count: int, threads: int, log) -> None:
        self.sockets, self.count, self.log = sockets, count, log
        fds = ",".join(str(sock.fileno()) for sock in sockets)
        self.command = [
            sys.executable,
            "-m",
            "libdesk",
            "serve_web",
            "--bind",
            bind,
            "--port",
            str(port),
            "--processes",
            "1",
            "--threads",
            str(threads),
            "--listen-fds",
            fds,
            "--parent",
            str(os.getpid()),
            "--skip-checks",  # this process ran them before starting any
        ]
        self.running: dict[subprocess.Popen, float] = {}

    def _start(self) -> subprocess.Popen:
        process = subprocess.Popen(self.command, pass_fds=[sock.fileno() for sock in self.sockets])
        self.running[process] = time.monotonic()
        return process

    def run(self) -> None:
        try:
            for _ in range(self.count):
                self._start()
            while True:
                self._replace_the_dead()
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop_all()

    def _replace_the_dead(self) -> None:
        for process, started in list(self.running.items()):
            returncode = process.poll()
            if returncode is None:
                continue
            del self.running[process]
            how = describe_exit(returncode)
            if time.monotonic() - started < WORKER_START_SECONDS:
                raise CommandError(
                    f"a web process (pid {process.pid}) ended as it started: {how}; "
                    f"stopping the web service"
                )
            replacement = self._start()
            self.log(
                f"a web process (pid {process.pid}) stopped: {how}; "
                f"started another (pid {replacement.pid})"
            )

    def _stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sock in self.sockets:
            sock.close()
