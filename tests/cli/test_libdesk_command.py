"""The `libdesk` console command as a library runs it: separate processes, a fresh data dir."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.canaries import LOGS

pytestmark = [pytest.mark.slow, pytest.mark.once]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A migrated SQLite library with the demo loaded, made by the real commands."""
    path = tmp_path_factory.mktemp("library")
    libdesk(path, "migrate", "--no-input")
    libdesk(path, "demo", "load")
    return path


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_") or k in LOGS}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LIBDESK_DATA_DIR"] = str(data_dir)
    return env


def libdesk(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        env=env_for(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_help_lists_the_commands_a_library_needs(tmp_path):
    output = libdesk(tmp_path, "--help").stdout
    commands = ("run", "migrate", "demo load", "backup DEST", "restore SRC", "policies import")
    for command in commands:
        assert command in output


def test_policies_due_json_reports_the_demo_policy_overdue(data_dir):
    due = json.loads(libdesk(data_dir, "policies", "due", "--json").stdout)
    assert due[0]["number"] == "OP-02-01-01"
    assert due[0]["next_review"] == "2023-11-27"
    assert due[0]["days_overdue"] > 1000


def test_demo_load_refuses_to_overwrite(data_dir):
    result = libdesk(data_dir, "demo", "load", check=False)
    assert result.returncode != 0
    assert "already holds a library" in result.stderr


def test_a_demo_library_is_never_served_beyond_loopback(data_dir):
    result = libdesk(
        data_dir, "run", "--bind", "0.0.0.0", "--web-port", str(free_port()), check=False
    )
    assert result.returncode != 0
    assert "demo library" in result.stderr and "loopback only" in result.stderr


@dataclass
class Run:
    process: subprocess.Popen
    banner: str
    out: str = ""
    err: str = ""


@contextmanager
def running(data_dir: Path, port: int, sip2_port: int = 0) -> Iterator[Run]:
    """`libdesk run` on `port` until its banner; SIGTERM and collect output at the end."""
    command = ["run", "--web-port", str(port), "--sip2-port", str(sip2_port or free_port())]
    process = subprocess.Popen(
        [sys.executable, "-m", "libdesk", *command],
        env=env_for(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = Run(process, "")
    try:
        run.banner = wait_for_line(process, "Press Ctrl-C to stop.")
        yield run
    finally:
        process.send_signal(signal.SIGTERM)
        run.out, run.err = process.communicate(timeout=30)


def test_run_serves_pages_and_static_files_then_stops_cleanly_on_sigterm(data_dir):
    port, kiosks = free_port(), free_port()
    with running(data_dir, port, kiosks) as run:
        said = run.banner
        if "Self-check kiosks" not in said:  # the kiosk server may be ready after the web
            said = wait_for_line(run.process, "Self-check kiosks")
        assert f"Self-check kiosks (SIP2): 127.0.0.1:{kiosks}" in said
        with socket.create_connection(("127.0.0.1", kiosks), timeout=10) as kiosk:
            kiosk.sendall(b"9300CNkiosk|COkiosk-demo|\r")
            assert kiosk.recv(100) == b"941\r"  # the demo terminal logs in
        assert f"http://127.0.0.1:{port}/" in run.banner
        assert "staff head / libdesk-demo" in run.banner
        assert "Demo library: mail is written to files in" in run.banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert "Kenora Public Library" in response.read().decode()
        css = f"http://127.0.0.1:{port}/static/libdesk/css/libdesk.css"
        with urllib.request.urlopen(css) as response:
            assert response.headers["Content-Type"].startswith("text/css")
        children = children_of(run.process.pid)
        # web server, kiosk server, background worker, index follower, WAL checkpointer, and
        # the first hourly jobs if going
        assert len(children) in (5, 6)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        assert any(b"checkpoint_wal" in command for command in commands)
        assert any(b"catalog\x00follow" in command for command in commands)
    assert run.process.returncode == 0, run.err
    assert "libdesk stopped." in run.out
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def wait_for_line(process: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"never printed {marker!r}: {''.join(seen)} {process.stderr.read()}")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_fresh_install_runs_after_migrate_alone(tmp_path):
    """`pip install .`, `libdesk migrate`, `libdesk run`: no demo, no collectstatic step."""
    libdesk(tmp_path, "migrate", "--no-input")
    port = free_port()
    with running(tmp_path, port) as run:
        assert "no library set up yet" in run.banner
        assert "No mail server is configured (set LIBDESK_SMTP_HOST)" in run.banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/policies/") as response:
            assert "No policy has been published yet." in response.read().decode()
    assert run.process.returncode == 0


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(tmp_path):
    """With LIBDESK_TRUSTED_PROXY, waitress believes the proxy's X-Forwarded-For, so rate
    limits apply per real caller rather than to everyone behind the proxy at once."""
    libdesk(tmp_path, "migrate", "--no-input")
    port = free_port()
    env = {**env_for(tmp_path), "LIBDESK_TRUSTED_PROXY": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "libdesk", "serve_web", "--bind", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)

        cards = iter(range(29000000009000, 29000000009100))

        def sign_in(forwarded_for: str) -> int:
            """A different unknown card each time, so no card's own lock is reached."""
            card = str(next(cards))
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/auth/patron",
                data=json.dumps({"patron_card": card, "pin": "0000"}).encode(),
                headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
            )
            try:
                with urllib.request.urlopen(request) as response:  # noqa: S310
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert [sign_in("198.51.100.7") for _ in range(10)] == [401] * 10
        assert sign_in("198.51.100.7") == 429
        assert sign_in("198.51.100.8") == 401  # another caller behind the same proxy
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def test_the_checkpointer_copies_the_write_ahead_log_into_the_database(data_dir):
    """While a connection stays open the WAL is not folded back on close: the checkpointer
    does it, so desk commits never have to."""
    database = data_dir / "libdesk.sqlite3"
    writer = sqlite3.connect(database)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("CREATE TABLE IF NOT EXISTS wal_probe (filler TEXT)")
        writer.executemany("INSERT INTO wal_probe VALUES (?)", [("x" * 1000,)] * 2000)
        writer.commit()
        before = database.stat().st_size
        assert (data_dir / "libdesk.sqlite3-wal").stat().st_size > 2_000_000
        libdesk(data_dir, "checkpoint_wal", "--rounds", "1")
        assert database.stat().st_size > before + 2_000_000
    finally:
        writer.execute("DROP TABLE wal_probe")
        writer.commit()
        writer.close()


def test_the_checkpointer_refuses_a_nonsense_interval(data_dir):
    result = libdesk(data_dir, "checkpoint_wal", "--every", "0", check=False)
    assert result.returncode != 0
    assert "--every must be more than 0 seconds" in result.stderr
