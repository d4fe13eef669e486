"""A PostgreSQL streaming replica serves the anonymous catalogue (issue 17, point 2;
docs/deployment-nodes.md, "A read replica").

The test builds its own primary and replica with PostgreSQL 15's `initdb` and `pg_basebackup`
on spare loopback ports in a temporary directory owned by the postgres user (the machine's own
server is left alone), loads the demo library on the primary, and runs a real `libdesk run`
with LIBDESK_DATABASE_URL on the primary and LIBDESK_DATABASE_REPLICA_URL on the replica. Both
servers log every statement with the application name of the connection that sent it
(`log_statement=all`, `log_line_prefix='%a|'`), and libdesk names each alias ("libdesk",
"libdesk replica reads"), so the servers' own logs say which one answered what:

- anonymous searches and record pages (web and API) are read from the replica, not the primary;
- a patron's sign-in, record page and hold go to the primary only: the replica sees nothing;
- a record added on the primary is found through the replica once replayed;
- with replay paused and the primary written to, the lag passes the setting and reads go to
  the primary (a record the paused replica lacks is shown);
- with the replica stopped (`pg_ctl stop -m immediate`), anonymous pages still answer, with no
  error.
Both servers are stopped and the directory removed at the end, also when the test fails.
"""

from __future__ import annotations

import http.cookiejar
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.catalog.marcdata import book
from tests.cli.test_libdesk_command import env_for, free_port
from tests.conftest import IN_CI
from tests.library_run import LibraryRun

# It builds its own primary and replica, whatever database the suite runs on: CI runs it once
# (with the SQLite stage), not again in the PostgreSQL stage.
pytestmark = [pytest.mark.slow, pytest.mark.once]

PG_BIN = Path(os.environ.get("LIBDESK_PG_BIN", "/usr/lib/postgresql/15/bin"))
MAX_LAG = 2  # LIBDESK_REPLICA_MAX_LAG_SECONDS for the run
REPLICA_APP = "libdesk replica reads"
PRIMARY_APP = "libdesk"
SENT = re.compile(r"LOG:\s+(statement|execute [^:]+):")  # a statement the server was sent
CARD, PIN = "29000000000001", "7306148825"  # the demo's first patron, given a PIN here


def pg_bin_or_not_run() -> Path:
    """PostgreSQL 15's server programs (apt-get install -y postgresql-15). In CI their absence
    is a failure."""
    if (PG_BIN / "initdb").exists() and (PG_BIN / "pg_basebackup").exists():
        return PG_BIN
    message = f"initdb and pg_basebackup not found in {PG_BIN} (apt-get install postgresql-15)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(f"read replica test NOT RUN: {message}")


class Server:
    """One PostgreSQL server of the pair, run as the postgres user, its log in its folder."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.name = root, name
        self.data = root / name
        self.log = root / f"{name}.log"
        self.port = free_port()
        self.started = False

    def url(self, database: str = "libdesk") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
            "-o", f"-p {self.port} -k {self.root}", "start",
        )  # fmt: skip
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        if self.started:
            as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
            self.started = False

    def sql(self, statement: str, database: str = "libdesk"):
        import psycopg

        conninfo = f"{self.url(database)}?application_name=replica+test"
        with psycopg.connect(conninfo, autocommit=True) as db:
            cursor = db.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def value(self, statement: str):
        return self.sql(statement)[0][0]

    def mark(self) -> int:
        return self.log.stat().st_size

    def statements_since(self, mark: int, application: str) -> list[str]:
        """The statements `application` sent this server since `mark` (the log's offset)."""
        with self.log.open("rb") as log:
            log.seek(mark)
            text = log.read().decode(errors="replace")
        # "statement:" for a simple query, "execute <name>:" for one whose values travel
        # apart (libdesk binds them server-side on PostgreSQL).
        return [
            line
            for line in text.splitlines()
            if line.startswith(f"{application}|") and SENT.search(line)
        ]


def as_postgres(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    """A server program run as the postgres user (the servers refuse to run as root)."""
    program = [str(PG_BIN / command[0]), *command[1:]]
    if os.geteuid() == 0:
        program = ["runuser", "-u", "postgres", "--", *program]
    result = subprocess.run(program, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, f"{command[0]}: {result.stdout}{result.stderr}"
    return result


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    pg_bin_or_not_run()
    root = Path(tempfile.mkdtemp(prefix="libdesk-replica-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(root, postgres.pw_uid, postgres.pw_gid)
    primary, replica = Server(root, "primary"), Server(root, "replica")
    try:
        as_postgres("initdb", "-D", str(primary.data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "fsync = off\nfull_page_writes = off\n"
                "log_statement = 'all'\nlog_line_prefix = '%a|'\n"
            )
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        primary.start()
        as_postgres("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                    "postgres", "-D", str(replica.data), "-R", "-X", "stream",
                    "--checkpoint=fast", "--no-sync")  # fmt: skip
        replica.start()
        yield primary, replica
    finally:
        replica.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def replayed(primary: Server, replica: Server, seconds: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = primary.value("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if replica.value(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.1)
    raise AssertionError("the replica never replayed the primary's writes")


class Browser:
    """A visitor keeping cookies; forms posted with their CSRF token, as a browser would."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, form_page: str, fields: dict[str, str]) -> tuple[int, str]:
        _, page = self.get(form_page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if f'"{table}"' in s]


def import_record(env: dict[str, str], folder: Path, control: str, title: str) -> None:
    path = folder / f"{control}.mrc"
    path.write_bytes(book(control, title, source="XX").as_marc())
    libdesk(env, "catalog", "import", str(path))


def libdesk(env: dict[str, str], *args: str) -> str:
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "libdesk", *args], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_replica_serves_the_anonymous_catalogue(servers, tmp_path):
    primary, replica = servers
    primary.sql("CREATE DATABASE libdesk", database="postgres")
    env = {
        **env_for(tmp_path),
        "LIBDESK_DATABASE_URL": primary.url(),
        "LIBDESK_SECRET_KEY": secrets.token_urlsafe(50),
        "LIBDESK_AUDIT_KEY": secrets.token_urlsafe(40),
        "LIBDESK_WEB_PROCESSES": "1",
    }
    libdesk(env, "migrate", "--no-input")
    libdesk(env, "demo", "load")
    libdesk(env, "shell", "-c",
            "from django.contrib.auth.hashers import make_password\n"
            "from libdesk.patrons.models import Patron\n"
            f"Patron.objects.filter(card_number='{CARD}')"
            f".update(pin_hash=make_password('{PIN}'))")  # fmt: skip
    import_record(env, tmp_path, "replica-1", "Quillwort meadows")
    record_id = primary.value("SELECT id FROM catalog_record WHERE control_number = 'replica-1'")
    held = primary.value("SELECT min(record_id) FROM catalog_item WHERE status = 'available'")
    branch = primary.value("SELECT code FROM library_branch ORDER BY id LIMIT 1")
    replayed(primary, replica)

    run = LibraryRun(
        tmp_path,
        free_port(),
        **{k: v for k, v in env.items() if k.startswith("LIBDESK_")},
        LIBDESK_DATABASE_REPLICA_URL=replica.url(),
        LIBDESK_REPLICA_MAX_LAG_SECONDS=str(MAX_LAG),
    )
    try:
        run.wait_for(r"libdesk is serving")
        run.wait_for(r"the indexer service is ready", errors=True)
        visitor = Browser(run.port)

        # Anonymous searches and record pages, web and API: read from the replica only.
        on_replica, on_primary = replica.mark(), primary.mark()
        status, page = visitor.get("/search/?q=quillwort")
        assert status == 200 and "Quillwort meadows" in page
        status, page = visitor.get(f"/records/{record_id}/")
        assert status == 200 and "Quillwort meadows" in page
        status, body = visitor.get("/api/v1/catalog/search?q=quillwort")
        assert status == 200 and "Quillwort meadows" in body
        status, body = visitor.get(f"/api/v1/catalog/records/{record_id}")
        assert status == 200 and "Quillwort meadows" in body
        served = replica.statements_since(on_replica, REPLICA_APP)
        assert len(reads_of(served, "catalog_record")) >= 4, served
        assert reads_of(served, "catalog_item"), "availability comes from the replica too"
        assert not reads_of(primary.statements_since(on_primary, PRIMARY_APP), "catalog_record")

        # A patron signs in, opens a record and places a hold: the primary only.
        patron = Browser(run.port)
        on_replica, on_primary = replica.mark(), primary.mark()
        holds = primary.value("SELECT count(*) FROM circulation_hold")
        status, page = patron.post(
            "/account/sign-in/", "/account/sign-in/", {"card": CARD, "pin": PIN}
        )
        assert status == 200, page[:500]
        status, page = patron.get(f"/records/{held}/")
        assert status == 200, page[:500]
        status, page = patron.post(
            "/account/holds/new/",
            f"/records/{held}/",
            {"record_id": str(held), "pickup_branch": branch},
        )
        assert status == 200, page[:1000]
        assert primary.value("SELECT count(*) FROM circulation_hold") == holds + 1
        assert replica.statements_since(on_replica, REPLICA_APP) == []
        written = primary.statements_since(on_primary, PRIMARY_APP)
        assert any('INSERT INTO "circulation_hold"' in s for s in written)
        assert reads_of(written, "patrons_patron") and reads_of(written, "catalog_record")

        # A record added on the primary is found through the replica once replayed.
        import_record(env, tmp_path, "replica-2", "Sphagnum bogs")
        replayed(primary, replica)
        on_replica = replica.mark()
        status, page = visitor.get("/search/?q=sphagnum")
        assert status == 200 and "Sphagnum bogs" in page
        assert reads_of(replica.statements_since(on_replica, REPLICA_APP), "catalog_record")

        # Replay paused and the primary written to: past the lag allowed, reads go to the
        # primary, which has the record the replica has not replayed yet.
        replica.sql("SELECT pg_wal_replay_pause()")
        import_record(env, tmp_path, "replica-3", "Tamarack fens")
        time.sleep(MAX_LAG + 1.5)  # the lag passes the setting, and the last probe expires
        on_replica, on_primary = replica.mark(), primary.mark()
        status, page = visitor.get("/search/?q=tamarack")
        assert status == 200 and "Tamarack fens" in page, page[:1000]
        assert not reads_of(replica.statements_since(on_replica, REPLICA_APP), "catalog_record")
        assert reads_of(primary.statements_since(on_primary, PRIMARY_APP), "catalog_record")
        assert (
            replica.value("SELECT count(*) FROM catalog_record WHERE title = 'Tamarack fens'") == 0
        )
        replica.sql("SELECT pg_wal_replay_resume()")
        replayed(primary, replica)
        time.sleep(1.5)  # the next probe finds it caught up
        on_replica = replica.mark()
        assert visitor.get("/search/?q=tamarack")[0] == 200
        assert reads_of(replica.statements_since(on_replica, REPLICA_APP), "catalog_record")

        # The replica stops: anonymous pages still answer, from the primary, with no error,
        # including the first request after the stop (the last probe still said "usable").
        replica.stop("immediate")
        for path in ("/search/?q=quillwort", f"/records/{record_id}/",
                     "/api/v1/catalog/search?q=sphagnum"):  # fmt: skip
            status, page = visitor.get(path)
            assert status == 200, page[:1000]
        assert "Quillwort meadows" in visitor.get("/search/?q=quillwort")[1]
    finally:
        stopped = run.stop()
        print("".join(run.err)[-6000:])  # shown when the test fails
    assert stopped == 0
    log = "".join(run.err)
    assert "Traceback" not in log and "Internal Server Error" not in log, log[-3000:]
    assert "The read replica is left aside" in log
