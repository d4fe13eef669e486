"""Two `libdesk run` nodes on one database (issue 17, point 1; docs/deployment-nodes.md).

Each node is a real `libdesk run` with its own data dir (its own search index) and its own
loopback port; they share one database: a fresh PostgreSQL database when the suite runs on
PostgreSQL (CI's PostgreSQL stage), else one SQLite file. The test proves, through the nodes'
own doors (HTTP search, the CLI) and the rows they share: a record or an availability change
made on A is found by search on B within 2 s; outbox rows are deleted only once both passed
them; `catalog reindex` on A leaves B's index alone; each task runs once, and one whose worker
died runs again; the hourly jobs run once across both; a search limit counted on A holds on B;
a node that was away while the outbox was pruned past it rebuilds its index.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.catalog.marcdata import book
from tests.cli.test_libdesk_command import children_of, env_for, free_port
from tests.library_run import LibraryRun

pytestmark = pytest.mark.slow

FOUND_WITHIN = 2.0
NODE_TIMEOUT = 30
"""Long enough that B, paused while A imports a record through its CLI (a few seconds on a
loaded machine), still counts as live; then B is stopped for longer than this."""
SEARCH_LIMIT = 20
_addresses = itertools.count(10)
DONE = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"


class Database:
    """The database both nodes share, and plain SQL on it for the test's own checks."""

    def __init__(self, tmp_path: Path) -> None:
        suite_url = os.environ.get("LIBDESK_DATABASE_URL", "")
        self.postgres = suite_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg

            parts = urlsplit(suite_url)
            self.name = f"libdesk_nodes_{os.getpid()}_{secrets.token_hex(4)}"
            self.admin = parts._replace(path="/postgres").geturl()
            with psycopg.connect(self.admin, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = parts._replace(path=f"/{self.name}").geturl()
        else:
            self.url = f"sqlite:///{tmp_path / 'shared' / 'libdesk.sqlite3'}"
            (tmp_path / "shared").mkdir()

    def rows(self, sql: str, *params: object) -> list[tuple]:
        """`sql` with `?` for each parameter."""
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as db:
                return db.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def value(self, sql: str, *params: object):
        return self.rows(sql, *params)[0][0]

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Node(LibraryRun):
    """One `libdesk run` of the pair, and its CLI on the same data dir and database."""

    def __init__(self, name: str, data_dir: Path, env: dict[str, str]) -> None:
        self.name, self.data_dir, self.env = name, data_dir, env
        self.port = free_port()

    def start(self) -> Node:
        """`libdesk run` on this node's port with its environment (a LibraryRun's own start
        takes the suite's environment, without the shared database)."""
        self._start(self.env)
        self.wait_for(r"libdesk is serving")
        self.logged(r"the indexer service is ready")
        return self

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "libdesk", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def search(self, source: str, **params: str) -> tuple[int, str]:
        """GET /search/ from loopback address `source` (the search limit counts per address),
        following a redirect to a record page."""
        path = "/search/?" + urlencode(params)
        for _ in range(2):
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=10, source_address=(source, 0)
            )
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode()
            connection.close()
            if response.status != 302:
                return response.status, body
            path = response.getheader("Location")
        return response.status, body

    def finds(self, words: str, title: str, **filters: str) -> bool:
        status, body = self.search(f"127.0.0.{next(_addresses)}", q=words, **filters)
        assert status == 200, body[:500]
        return title in body

    def follower_pid(self) -> int:
        for pid in children_of(self.process.pid):
            if b"follow" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        raise AssertionError("no indexer child")

    def index_files(self) -> dict[str, tuple[int, int]]:
        return {
            p.name: (p.stat().st_mtime_ns, p.stat().st_size)
            for p in (self.data_dir / "search").iterdir()
            if p.name != ".writer.lock"
        }


def found_within(node: Node, words: str, title: str, seconds: float, **filters: str) -> float:
    """Seconds until `node`'s search finds `title`; fails past `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if node.finds(words, title, **filters):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"node {node.name} did not find {title!r} within {seconds} s")


def until(check, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


def import_record(node: Node, tmp_path: Path, control: str, title: str) -> None:
    path = tmp_path / f"{control}.mrc"
    path.write_bytes(book(control, title, source="XX").as_marc())
    node.cli("catalog", "import", str(path))


@pytest.fixture
def pair(tmp_path) -> Iterator[tuple[Node, Node, Database]]:
    database = Database(tmp_path)
    shared = {
        "LIBDESK_DATABASE_URL": database.url,
        "LIBDESK_SECRET_KEY": secrets.token_urlsafe(50),
        "LIBDESK_AUDIT_KEY": secrets.token_urlsafe(40),
        "LIBDESK_NODE_TIMEOUT_SECONDS": str(NODE_TIMEOUT),
        "LIBDESK_TASK_LEASE_SECONDS": "2",
        "LIBDESK_SEARCH_LIMIT": str(SEARCH_LIMIT),
    }
    nodes = []
    for name in ("a", "b"):
        data_dir = tmp_path / name
        data_dir.mkdir()
        nodes.append(Node(name, data_dir, {**env_for(data_dir), **shared}))
    a, b = nodes
    a.cli("migrate", "--no-input")
    a.cli("demo", "load")
    try:
        a.start()
        b.start()
        yield a, b, database
    finally:
        for node in nodes:
            if getattr(node, "process", None) is not None:
                node.stop()
        database.drop()


def test_two_nodes_share_one_database(pair, tmp_path):
    a, b, database = pair
    until(lambda: database.value("SELECT count(*) FROM catalog_indexnode") == 2, what="B's row")
    nodes = dict(database.rows("SELECT node_id, id FROM catalog_indexnode ORDER BY id"))

    # A record added on A is found by search on B within 2 s.
    import_record(a, tmp_path, "nodes-1", "Quillwort meadows")
    assert found_within(b, "quillwort", "Quillwort meadows", FOUND_WITHIN) <= FOUND_WITHIN

    # An availability change made on A (a copy put on the shelf) is found on B within 2 s.
    assert not b.finds("quillwort", "Quillwort meadows", available_at="MAIN")
    items = tmp_path / "items.csv"
    items.write_text(
        "barcode,control_number,branch,location,call_number,collection,status\n"
        "39000099990001,nodes-1,MAIN,Adult,QK 524 Q5,Non-fiction,available\n"
    )
    a.cli("items", "import", str(items))
    found_within(b, "quillwort", "Quillwort meadows", FOUND_WITHIN, available_at="MAIN")

    # Outbox rows stay until both nodes passed them: B's follower paused, A's change stays
    # in the outbox while A finds it; once B follows again, the row is pruned.
    follower = b.follower_pid()
    os.kill(follower, signal.SIGSTOP)
    paused = time.monotonic()
    try:
        import_record(a, tmp_path, "nodes-2", "Sphagnum bogs")
        found_within(a, "sphagnum", "Sphagnum bogs", FOUND_WITHIN)
        row = database.value(
            "SELECT max(o.id) FROM catalog_outboxentry o JOIN catalog_record r "
            "ON r.id = o.record_id WHERE r.control_number = 'nodes-2'"
        )
        assert time.monotonic() - paused < NODE_TIMEOUT, "the pause outlasted the timeout"
        assert row is not None
        cursors = dict(database.rows("SELECT node_id, cursor FROM catalog_indexnode"))
        assert sorted(c >= row for c in cursors.values()) == [False, True]
    finally:
        os.kill(follower, signal.SIGCONT)
    found_within(b, "sphagnum", "Sphagnum bogs", FOUND_WITHIN)
    until(
        lambda: database.value("SELECT count(*) FROM catalog_outboxentry WHERE id <= ?", row) == 0,
        what="the outbox row pruned once both nodes passed it",
    )

    # `catalog reindex` on A rebuilds A's index only.
    b_files, a_files = b.index_files(), a.index_files()
    b_rebuilt = database.rows("SELECT node_id, rebuilt_at FROM catalog_indexnode ORDER BY id")
    assert "reindexed" in a.cli("catalog", "reindex")
    assert a.index_files() != a_files
    assert b.index_files() == b_files
    after = database.rows("SELECT node_id, rebuilt_at FROM catalog_indexnode ORDER BY id")
    assert after[0][1] != b_rebuilt[0][1] and after[1] == b_rebuilt[1]
    assert b.finds("quillwort", "Quillwort meadows")

    # Tasks: each claimed by one worker and run once; one left "running" by a worker that
    # died is queued again and run by a live worker.
    b.cli(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "from libdesk.catalog.search.tasks import apply_catalog_outbox\n"
        "from libdesk.core import clock\n"
        "for _ in range(12): apply_catalog_outbox.enqueue()\n"
        "orphan = DBTaskResult.objects.get(pk=apply_catalog_outbox.enqueue().id)\n"
        "orphan.claim('a-worker-that-died')\n"
        "DBTaskResult.objects.filter(pk=orphan.pk).update("
        "started_at=clock.now() - timedelta(minutes=5))\n",
    )
    until(
        lambda: database.value(DONE) == 13,
        seconds=60,
        what="13 tasks run",
    )
    workers = [
        row[0] for row in database.rows("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
    ]
    ran = [w if isinstance(w, list) else json.loads(w) for w in workers]
    assert sorted(len(w) for w in ran) == [1] * 12 + [2]
    assert next(w for w in ran if len(w) == 2)[0] == "a-worker-that-died"

    # The hourly jobs ran once across both nodes (each node started them once).
    def job_runs() -> list[tuple]:
        return database.rows("SELECT attempts, skipped, finished_at FROM core_jobrun")

    until(lambda: sum(a + s for a, s, _ in job_runs()) == 2, what="both nodes tried the jobs")
    until(lambda: all(finished for _, _, finished in job_runs()), what="the jobs finished")
    assert all(attempts == 1 for attempts, _, _ in job_runs())

    # A search limit counted on A holds on B (the cache both share).
    caller = "127.0.0.250"
    for _ in range(SEARCH_LIMIT):
        assert a.search(caller, q="garden")[0] == 200
    assert b.search(caller, q="garden")[0] == 429
    assert b.search("127.0.0.251", q="garden")[0] == 200

    # A node away while the outbox was pruned past it rebuilds its index when it comes back.
    b.stop()
    b_id = sorted(nodes.values())[1]
    b_cursor = database.value("SELECT cursor FROM catalog_indexnode WHERE id = ?", b_id)
    time.sleep(NODE_TIMEOUT + 1)
    import_record(a, tmp_path, "nodes-3", "Tamarack fens")
    found_within(a, "tamarack", "Tamarack fens", FOUND_WITHIN)
    until(
        lambda: database.value("SELECT pruned_through FROM catalog_outboxhorizon") > b_cursor,
        what="the outbox pruned past the stopped node",
    )
    b.start()
    found_within(b, "tamarack", "Tamarack fens", 30)
    assert "behind the pruned outbox" in b.log
