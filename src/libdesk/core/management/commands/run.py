"""`libdesk run`: every service of one library in the foreground, kept up, stopped together.

The web server, the background worker, this node's search index follower and (on SQLite only)
the WAL checkpointer run as child processes in their own session, so a Ctrl-C or SIGTERM
reaches only this supervisor, which then stops each child cleanly. A child that dies is
restarted with a growing delay and the event is logged; `libdesk run` itself stops on its own
only when a service fails repeatedly before it was ever ready (rules and figures in
`libdesk.core.supervisor`).
"""

from __future__ import annotations

import errno
import signal
import socket
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from libdesk.core import metrics
from libdesk.core.addresses import is_loopback
from libdesk.core.supervisor import Periodic, Service, Supervisor
from libdesk.demo.loader import sign_ins
from libdesk.library import mail
from libdesk.library.selectors import the_library

JOBS_EVERY_SECONDS = 3600
SIP2_BIND = settings.LIBDESK["SIP2_BIND"]
LIBDESK = (sys.executable, "-m", "libdesk")


def port_problem(bind: str, port: int) -> str | None:
    """Why the web server could not listen on `bind`:`port`, found by binding it the way
    waitress will (address reuse on, IPv6 sockets IPv6 only), or None if it can."""
    host = bind.strip("[]")
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"{where} is not an address of this machine ({error.strerror})"
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return f"{where} is already in use by another program"
                return f"it cannot listen on {where} ({error.strerror})"
    return None


def port_answers(bind: str, port: int) -> bool:
    """The web server is ready when its port accepts a connection (checked only while the
    child is alive, and only after `port_problem` found the port free before its start)."""
    try:
        socket.create_connection((bind.strip("[]"), port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _where(bind: str, port: int) -> str:
    return f"[{bind}]:{port}" if ":" in bind else f"{bind}:{port}"


def web_processes_line() -> str:
    """How many processes and threads serve the web (`libdesk serve_web` reads the same
    settings)."""
    processes = settings.LIBDESK["WEB_PROCESSES"]
    threads = settings.LIBDESK["WEB_THREADS"]
    return (
        f"Web: {processes} process{'es' if processes != 1 else ''} of {threads} "
        f"thread{'s' if threads != 1 else ''} each (LIBDESK_WEB_PROCESSES, LIBDESK_WEB_THREADS)"
    )


def timestamped(message: str) -> str:
    return f"{time.strftime('%Y-%m-%d %H:%M:%S')} libdesk: {message}"


class Command(BaseCommand):
    help = "Start libdesk's web server and background worker in the foreground; Ctrl-C stops all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--web-port", type=int, default=8000, help="default 8000")
        parser.add_argument(
            "--bind", default=settings.BIND, help="address to listen on (LIBDESK_BIND)"
        )
        parser.add_argument(
            "--sip2-port",
            type=int,
            default=settings.LIBDESK["SIP2_PORT"],
            help="the self-check kiosk server's port (default 6001; 0: no kiosk server)",
        )

    def handle(self, *args: object, web_port: int, bind: str, sip2_port: int, **_: object) -> None:
        library = self._check_can_serve(bind)
        on_sqlite = connection.vendor == "sqlite"
        connection.close()
        jobs = Periodic(
            "hourly jobs",
            [*LIBDESK, "circulation", "run-jobs", "--once-per-hour"],
            JOBS_EVERY_SECONDS,
        )
        services = self._services(bind, web_port, on_sqlite) + self._kiosks(sip2_port)
        supervisor = Supervisor(services, [jobs], report=self._log)
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        def on_ready(name: str) -> None:
            if name == "web":
                self._announce(library, bind, web_port)
            if name == "sip2":
                self.stdout.write(f"Self-check kiosks (SIP2): {_where(SIP2_BIND, sip2_port)}")
                self.stdout.flush()

        # The services count into one folder, so /metrics sums every process (core.metrics).
        with metrics.shared_by_children():
            try:
                gave_up = supervisor.run(lambda: stopping, on_ready)
            finally:
                supervisor.stop_all()
        if gave_up:
            raise CommandError(f"{gave_up}; libdesk has stopped")
        self.stdout.write("libdesk stopped.")

    def _services(self, bind: str, port: int, on_sqlite: bool) -> list[Service]:
        services = [
            Service(
                "web",
                [*LIBDESK, "serve_web", "--bind", bind, "--port", str(port)],
                is_ready=lambda _alive_for: port_answers(bind, port),
                obstacle=lambda: port_problem(bind, port),
            ),
            Service("worker", [*LIBDESK, "db_worker", "--interval", "1", "--no-startup-delay"]),
            # this node's search index, following the outbox every node shares
            Service("indexer", [*LIBDESK, "catalog", "follow"]),
        ]
        if on_sqlite:  # WAL checkpoints off the desk's commits
            services.append(Service("checkpointer", [*LIBDESK, "checkpoint_wal"]))
        return services

    def _kiosks(self, port: int) -> list[Service]:
        """The SIP2 server, on the address and TLS settings of `libdesk sip2` (loopback unless
        LIBDESK_SIP2_BIND says otherwise)."""
        if not port:
            return []
        return [
            Service(
                "sip2",
                [*LIBDESK, "sip2", "--bind", SIP2_BIND, "--port", str(port)],
                is_ready=lambda _alive_for: port_answers(SIP2_BIND, port),
                obstacle=lambda: port_problem(SIP2_BIND, port),
            )
        ]

    def _log(self, message: str) -> None:
        self.stderr.write(timestamped(message))
        self.stderr.flush()

    def _check_can_serve(self, bind: str):
        try:
            library = the_library()
        except DatabaseError as error:
            raise CommandError(
                f"libdesk cannot read its database ({error}): is it running, and has "
                f"`libdesk migrate` been run?"
            ) from error
        if not is_loopback(bind):
            if library is not None and library.is_demo:
                raise CommandError(
                    f"This is a demo library, whose passwords are published; it is served on "
                    f"loopback only, not on {bind}."
                )
            if not settings.HTTPS:
                raise CommandError(
                    f"Serving on {bind} needs LIBDESK_HTTPS=1 and a TLS proxy in front, so "
                    f"PINs and passwords never cross the network in clear."
                )
        return library

    def _announce(self, library, bind: str, port: int) -> None:
        host = f"[{bind}]" if ":" in bind else bind
        name = library.name if library else "libdesk (no library set up yet)"
        self.stdout.write(f"libdesk is serving {name} at http://{host}:{port}/")
        self.stdout.write(f"Staff client: http://{host}:{port}/staff/")
        self.stdout.write(web_processes_line())
        if library is not None and library.is_demo:
            self.stdout.write("Demo sign-ins: " + "; ".join(sign_ins()))
        self.stdout.write(mail.startup_line())
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
