"""`libdesk run` started by a test on a library of its own, with its outputs collected as they
come, and its services found in the process tree (/proc, no psutil): the deployment tests and
the supervisor's own (tests/cli/test_run_keeps_services_up.py) start it the same way."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.cli.test_libdesk_command import children_of, env_for

DEADLINE_SECONDS = 120
"""Generous: the machine is shared, each web process starts Django, and a restarted service
waits first."""


class LibraryRun:
    def __init__(self, data_dir: Path, port: int, **env: str) -> None:
        self.port = port
        self._start({**env_for(data_dir), **env})

    def _start(self, env: dict[str, str]) -> None:
        """`libdesk run` on this port with exactly `env`, its outputs read as they come."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "libdesk",
                "run",
                "--web-port",
                str(self.port),
                "--sip2-port",
                "0",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _collect(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def wait_for(self, pattern: str, errors: bool = False) -> re.Match:
        """The first line of its standard output (or error output) matching `pattern`."""
        lines = self.err if errors else self.out
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            for line in list(lines):
                if found := re.search(pattern, line):
                    return found
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"never printed {pattern!r}:\n{''.join(self.out + self.err)}")

    def logged(self, pattern: str) -> re.Match:
        """The first line of the supervisor's log (its error output) matching `pattern`."""
        return self.wait_for(pattern, errors=True)

    def child(self, command: bytes) -> int:
        """The pid of the supervisor's child whose command line holds `command`."""
        for pid in children_of(self.process.pid):
            try:
                if command in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
            except OSError:
                continue
        raise AssertionError(f"libdesk run has no child running {command!r}")

    def web_service(self) -> int:
        """The pid of `libdesk run`'s web service (`libdesk serve_web`)."""
        return self.child(b"serve_web")

    def web_processes(self) -> list[int]:
        """The processes that serve the web: the web service's worker processes, or the web
        service itself when it serves alone (one process)."""
        service = self.web_service()
        return children_of(service) or [service]

    @property
    def log(self) -> str:
        """Everything it wrote to its error output: the supervisor's log."""
        return "".join(self.err)

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        code = self.process.wait(timeout=DEADLINE_SECONDS)
        for reader in self._readers:
            reader.join(timeout=10)
        return code


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets a process holds open."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[len("socket:[") : -1]))
    return found


def tcp_sockets(port: int) -> list[tuple[int, int]]:
    """(remote port, inode) of every IPv4 TCP socket whose local port is `port`: the
    listening socket (remote port 0) and the server's side of each connection."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == port:
            found.append((int(remote.split(":")[1], 16), inode))
    return found
