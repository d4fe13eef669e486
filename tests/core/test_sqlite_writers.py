"""libdesk's SQLite backend queues its writers on a lock file (core/backends/sqlite3/base.py):
a transaction holds it from BEGIN to commit, rollback or close; the next writer, in another
thread or process, goes in when it is let go; none is lost, and a writer that cannot get in
within the busy timeout is told which lock held it. On PostgreSQL nothing of this applies."""

import fcntl
import os
import threading

import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError

from libdesk.core import clock
from libdesk.core.backends.sqlite3.base import writers_lock_path
from libdesk.core.models import JobRun

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lock_file():
    if connection.vendor != "sqlite":
        pytest.fail("this file runs in the SQLite stage only (pytest.mark.once)")
    return writers_lock_path(connection.settings_dict["NAME"])


def held_by_someone(path: str) -> bool:
    """Whether a libdesk transaction holds the writers' lock (tried from a fresh descriptor)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def new_run(name: str) -> JobRun:
    now = clock.now()
    return JobRun.objects.create(
        name=name, period_start=now, holder="test", started_at=now, lease_until=now
    )


@pytest.mark.once
def test_a_transaction_holds_the_lock_until_commit_or_rollback(lock_file):
    with transaction.atomic():
        new_run("held")
        assert held_by_someone(lock_file)
    assert not held_by_someone(lock_file)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        new_run("rolled back")
        assert held_by_someone(lock_file)
        1 / 0  # noqa: B018
    assert not held_by_someone(lock_file)
    assert list(JobRun.objects.values_list("name", flat=True)) == ["held"]
    new_run("autocommit")  # a write outside a transaction does not take it
    assert not held_by_someone(lock_file)


@pytest.mark.once
def test_a_waiting_writer_goes_in_after_the_holder_leaves(lock_file):
    order, inside = [], threading.Event()

    def second() -> None:
        inside.wait(10)
        with transaction.atomic():
            order.append("second begins")
            new_run("second")
        connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        new_run("first")
        inside.set()
        thread.join(0.3)  # the second writer is waiting now, not writing
        assert thread.is_alive() and order == []
        order.append("first commits")
    thread.join(10)
    assert order == ["first commits", "second begins"]
    assert sorted(JobRun.objects.values_list("name", flat=True)) == ["first", "second"]


@pytest.mark.once
def test_many_writers_in_threads_all_commit(lock_file):
    errors = []

    def writer(n: int) -> None:
        try:
            for k in range(15):
                with transaction.atomic():
                    new_run(f"w{n}-{k}")
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert JobRun.objects.count() == 8 * 15
    assert not held_by_someone(lock_file)


@pytest.mark.once
def test_a_writer_kept_out_past_the_busy_timeout_is_told_why(lock_file, monkeypatch):
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process's transaction, never ending
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    try:
        with (
            pytest.raises(OperationalError, match=r"database is locked.*-writers"),
            transaction.atomic(),
        ):
            new_run("kept out")
    finally:
        os.close(fd)
    assert not JobRun.objects.filter(name="kept out").exists()


def test_a_database_in_memory_has_no_lock_file():
    assert writers_lock_path(":memory:") is None
    assert writers_lock_path("file:memorydb_default?mode=memory&cache=shared") is None
    database = "/srv/libdesk/libdesk.sqlite3"
    assert writers_lock_path(database) == f"{database}-writers"


@pytest.mark.once
def test_without_a_writable_lock_file_sqlite_s_own_lock_is_enough(lock_file, monkeypatch):
    """A folder this process may not write (a read-only copy opened to look at): the
    transaction goes ahead on SQLite's own lock."""
    connection.close()  # a fresh connection, which has no lock file open yet
    real_open = os.open

    def refuse_lock_file(path, *args, **kwargs):
        if str(path) == lock_file:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_lock_file)
    with transaction.atomic():
        new_run("no lock file")
    assert JobRun.objects.filter(name="no lock file").exists()
