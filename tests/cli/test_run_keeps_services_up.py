"""`libdesk run` keeps the library up: a service that dies is restarted and logged, and the
supervisor stops only on Ctrl-C or a service that cannot start (issue 10)."""

import http.client
import os
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from libdesk.core.supervisor import STARTUP_ATTEMPTS
from tests.cli.test_libdesk_command import children_of, free_port, libdesk
from tests.library_run import DEADLINE_SECONDS, LibraryRun

pytestmark = [pytest.mark.slow, pytest.mark.once]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A migrated SQLite library with the demo loaded, made by the real commands."""
    path = tmp_path_factory.mktemp("library")
    libdesk(path, "migrate", "--no-input")
    libdesk(path, "demo", "load")
    return path


class Supervised(LibraryRun):
    """`libdesk run` on the module's library, with the pids its log says it started."""

    def logged_pids(self) -> set[int]:
        return {int(pid) for pid in re.findall(r"started the \w+ service \(pid (\d+)\)", self.log)}


@pytest.fixture
def supervised(data_dir):
    run = Supervised(data_dir, free_port())
    yield run
    run.stop()


class SteadyLoad:
    """A patron reloading the home page over and over; each answer recorded in order."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.answers: list[int | str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "SteadyLoad":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._done.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310
                    response.read()
                    self.answers.append(response.status)
            except urllib.error.HTTPError as error:
                self.answers.append(error.code)
            except (OSError, http.client.HTTPException) as error:
                # a server killed mid-answer: refused, reset, or an incomplete read
                self.answers.append(type(error).__name__)
                time.sleep(0.05)

    def wait_for_success_after(self, index: int) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if 200 in self.answers[index:]:
                return
            time.sleep(0.1)
        raise AssertionError(f"no page served after answer {index}: {self.answers[index:]}")


def test_a_web_server_killed_under_load_is_restarted_and_answers_again(supervised):
    supervised.wait_for("Press Ctrl-C to stop.")
    with SteadyLoad(supervised.port) as load:
        load.wait_for_success_after(0)
        web = supervised.child(b"serve_web")
        assert web in supervised.logged_pids()
        os.kill(web, signal.SIGKILL)
        killed_at = len(load.answers)
        supervised.logged(
            rf"the web service \(pid {web}\) stopped unexpectedly: it was killed by signal "
            r"SIGKILL \(9\); restarting it in 1 s",
        )
        restarted = int(supervised.logged(r"restarted the web service \(pid (\d+)\)")[1])
        supervised.logged(rf"the web service is back \(pid {restarted}\)")
        load.wait_for_success_after(killed_at)
    assert supervised.process.poll() is None
    assert restarted != web and restarted in children_of(supervised.process.pid)
    assert not Path(f"/proc/{web}").exists()
    assert supervised.out.count("Press Ctrl-C to stop.\n") == 1
    assert supervised.stop() == 0


def test_a_killed_worker_is_restarted(supervised):
    supervised.wait_for("Press Ctrl-C to stop.")  # the web answers, at the end
    worker = int(supervised.logged(r"the worker service is ready \(pid (\d+)\)")[1])
    assert worker == supervised.child(b"db_worker")
    os.kill(worker, signal.SIGKILL)
    supervised.logged(
        rf"the worker service \(pid {worker}\) stopped unexpectedly: it was killed by signal "
        r"SIGKILL \(9\); restarting it in 1 s",
    )
    restarted = int(supervised.logged(r"restarted the worker service \(pid (\d+)\)")[1])
    assert b"db_worker" in Path(f"/proc/{restarted}/cmdline").read_bytes()
    supervised.logged(rf"the worker service is back \(pid {restarted}\)")
    assert supervised.process.poll() is None
    with urllib.request.urlopen(f"http://127.0.0.1:{supervised.port}/") as response:
        assert response.status == 200


def test_a_web_port_already_taken_stops_libdesk_run_with_the_reason(data_dir):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = libdesk(data_dir, "run", "--web-port", str(port), "--sip2-port", "0", check=False)
    assert result.returncode != 0
    assert (
        f"the web service failed to start {STARTUP_ATTEMPTS} times in a row (127.0.0.1:{port} "
        f"is already in use by another program); libdesk has stopped"
    ) in result.stderr
    assert f"(attempt {STARTUP_ATTEMPTS - 1} of {STARTUP_ATTEMPTS})" in result.stderr
    assert "Press Ctrl-C to stop." not in result.stdout
    # the services that did start were stopped with it
    started = [
        int(pid) for pid in re.findall(r"started the \w+ service \(pid (\d+)\)", result.stderr)
    ]
    assert len(started) == 3  # the worker, the index follower and the checkpointer
    assert all(not Path(f"/proc/{pid}").exists() for pid in started)


def test_ctrl_c_stops_every_service(supervised):
    supervised.wait_for("Press Ctrl-C to stop.")
    children = supervised.logged_pids()
    assert len(children) == 4  # web, worker, index follower, checkpointer
    assert supervised.stop(signal.SIGINT) == 0
    assert "libdesk stopped.\n" in supervised.out
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", supervised.port), timeout=1)


def test_ctrl_c_while_a_service_waits_to_be_restarted_stops_everything(supervised):
    supervised.wait_for("Press Ctrl-C to stop.")
    os.kill(supervised.child(b"serve_web"), signal.SIGKILL)
    supervised.logged(r"the web service .* restarting it in \d+ s")
    assert supervised.stop(signal.SIGINT) == 0
    assert "libdesk stopped.\n" in supervised.out
    assert all(not Path(f"/proc/{pid}").exists() for pid in supervised.logged_pids())
