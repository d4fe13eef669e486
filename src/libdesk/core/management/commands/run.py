"""`libdesk run`: every service of one library in the foreground, stopped together.

The web server, the background worker and (on SQLite) the WAL checkpointer run as child
processes in their own session, so a Ctrl-C or SIGTERM reaches only this supervisor, which
then stops each child cleanly.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from libdesk.demo.loader import sign_ins
from libdesk.library.selectors import the_library

JOBS_EVERY_SECONDS = 3600
STOP_GRACE_SECONDS = 10


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Start libdesk's web server and background worker in the foreground; Ctrl-C stops all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--web-port", type=int, default=8000, help="default 8000")
        parser.add_argument(
            "--bind", default=settings.BIND, help="address to listen on (LIBDESK_BIND)"
        )

    def handle(self, *args: object, web_port: int, bind: str, **_: object) -> None:
        library = self._check_can_serve(bind)
        connection.close()
        python = [sys.executable, "-m", "libdesk"]
        services = {
            "web": [*python, "serve_web", "--bind", bind, "--port", str(web_port)],
            "worker": [*python, "db_worker", "--interval", "1", "--no-startup-delay"],
        }
        if connection.vendor == "sqlite":  # WAL checkpoints off the desk's commits
            services["checkpointer"] = [*python, "checkpoint_wal"]
        children = {
            name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in services.items()
        }
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self._announce(library, bind, web_port, children["web"])
        failed = self._supervise(children, lambda: stopping)
        self._stop_all(children)
        if failed:
            raise CommandError(f"the {failed} service stopped unexpectedly; libdesk has stopped")
        self.stdout.write("libdesk stopped.")

    def _check_can_serve(self, bind: str):
        library = the_library()
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

    def _announce(self, library, bind: str, port: int, web: subprocess.Popen) -> None:
        host = f"[{bind}]" if ":" in bind else bind
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and web.poll() is None:
            try:
                socket.create_connection((bind.strip("[]"), port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        name = library.name if library else "libdesk (no library set up yet)"
        self.stdout.write(f"libdesk is serving {name} at http://{host}:{port}/")
        self.stdout.write(f"Staff client: http://{host}:{port}/staff/")
        if library is not None and library.is_demo:
            self.stdout.write("Demo sign-ins: " + "; ".join(sign_ins()))
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()

    def _supervise(self, children: dict[str, subprocess.Popen], stopping) -> str | None:
        """Watch the services, and start the periodic jobs (notices, hold-shelf expiry) at
        once and then every hour; they are idempotent, so a run that overlaps is harmless."""
        next_jobs = time.monotonic()
        while not stopping():
            for name, child in children.items():
                if name != "jobs" and child.poll() is not None:
                    return name
            if time.monotonic() >= next_jobs and (
                "jobs" not in children or children["jobs"].poll() is not None
            ):
                children["jobs"] = subprocess.Popen(
                    [sys.executable, "-m", "libdesk", "circulation", "run-jobs"],
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                )
                next_jobs = time.monotonic() + JOBS_EVERY_SECONDS
            time.sleep(0.2)
        return None

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
