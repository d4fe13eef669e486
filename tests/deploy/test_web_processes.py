"""The web service runs several processes (LIBDESK_WEB_PROCESSES, one per core by default),
says how many, and each of them accepts and serves connections; one that dies is replaced
without stopping the others (issue 17, point 5)."""

import http.client
import os
import signal
import time
from pathlib import Path

import pytest

from libdesk.core.management.commands.serve_web import WORKER_START_SECONDS
from tests.cli.test_libdesk_command import children_of, free_port, libdesk
from tests.library_run import DEADLINE_SECONDS, LibraryRun, socket_inodes, tcp_sockets

pytestmark = [pytest.mark.slow, pytest.mark.once]

STYLESHEET = "/static/libdesk/css/libdesk.css"
CONNECTION_LIMIT = 100
"""waitress's connections per process (`connection_limit`): a process holding that many stops
accepting, so `CONNECTION_LIMIT` × processes connections held open must reach every one."""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("library")
    libdesk(path, "migrate", "--no-input")
    libdesk(path, "demo", "load")
    return path


def owners_of_connections(port: int, processes: list[int]) -> dict[int, int]:
    """Open keep-alive connections one by one, each served a page, until every web process
    holds one; how many each holds. The server's side of a connection is found in
    /proc/net/tcp by the client's port, and its owner by the socket's inode."""
    held: list[http.client.HTTPConnection] = []
    owners: dict[int, int] = {}
    try:
        while len(owners) < len(processes) and len(held) < CONNECTION_LIMIT * len(processes):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_SECONDS)
            connection.request("GET", STYLESHEET)
            response = connection.getresponse()
            assert response.status == 200 and b"{" in response.read()
            held.append(connection)
            client_port = connection.sock.getsockname()[1]
            inode = next(i for remote, i in tcp_sockets(port) if remote == client_port)
            owner = next(pid for pid in processes if inode in socket_inodes(pid))
            owners[owner] = owners.get(owner, 0) + 1
    finally:
        for connection in held:
            connection.close()
    return owners


def test_several_web_processes_share_the_port_and_each_serves(data_dir):
    run = LibraryRun(data_dir, free_port(), LIBDESK_WEB_PROCESSES="2", LIBDESK_WEB_THREADS="4")
    try:
        run.wait_for("Press Ctrl-C to stop.")
        assert (
            "Web: 2 processes of 4 threads each (LIBDESK_WEB_PROCESSES, LIBDESK_WEB_THREADS)\n"
            in run.out
        )
        found_at = time.monotonic()
        service = run.web_service()
        workers = run.web_processes()
        assert len(workers) == 2 and service not in workers
        for pid in workers:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            assert command[command.index(b"--threads") + 1] == b"4"
        # one listening socket, bound by the web service and held by each of its processes
        listening = {inode for remote, inode in tcp_sockets(run.port) if remote == 0}
        assert len(listening) == 1
        assert all(listening <= socket_inodes(pid) for pid in workers)
        assert set(owners_of_connections(run.port, workers)) == set(workers)

        # a web process that dies once it has been serving is replaced; the others go on
        time.sleep(max(0.0, WORKER_START_SECONDS + 1 - (time.monotonic() - found_at)))
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        replacement = run.wait_for(
            rf"a web process \(pid {victim}\) stopped: it was killed by signal SIGKILL \(9\); "
            r"started another \(pid (\d+)\)",
            errors=True,
        )
        assert int(replacement[1]) in children_of(service)
        assert sorted(run.web_processes()) == sorted([*workers[1:], int(replacement[1])])
        assert set(owners_of_connections(run.port, run.web_processes())) == set(run.web_processes())
        assert run.web_service() == service  # the web service itself was not restarted
        assert "restarted the web service" not in "".join(run.err)
    finally:
        assert run.stop() == 0
    assert "libdesk stopped.\n" in run.out
    assert not any(
        Path(f"/proc/{pid}").exists() for pid in [service, *workers, int(replacement[1])]
    )
