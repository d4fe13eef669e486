"""Anonymous catalogue reads from a PostgreSQL streaming replica (docs/deployment-nodes.md,
"A read replica").

With `LIBDESK_DATABASE_REPLICA_URL` set, settings add a second database alias, `replica`, and
this module's router. Nothing reads from it unless a view asks: the anonymous catalogue doors
(the search page and API, record pages and the record API, with their availability) are
wrapped in `anonymous_reads(...)`, which, for a GET or HEAD by nobody signed in, opens
`catalogue_reads()`; inside it the router sends reads of the public catalogue tables
(`REPLICA_MODELS`: records, works, identifiers, copies, the library and its branches and
hours) to the replica. Everything else goes to the primary (`default`): every write, every
read inside a transaction, every other table (sessions, the cache, audit, anything naming a
patron) and every request of a signed-in patron or member of staff. Migrations run on the
primary only.

Whether the replica may be used is probed at most once a second per process (`usable()`),
never once per query; a thread that finds another one probing takes the last answer. The
replica is left aside, and reads go to the primary, while it does not answer, is not a
standby (it was promoted), or lags more than `LIBDESK_REPLICA_MAX_LAG_SECONDS`. If it stops
between two probes, the request that meets the error is answered again from the primary.

How lag is measured. `now() - pg_last_xact_replay_timestamp()` alone grows without bound on
an idle primary: it is the age of the last transaction replayed, not how far behind the
replica is. So the probe first compares what the standby has received with what it has
replayed: while its WAL receiver is connected and everything received is replayed
(`pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()`), the replica is as fresh as the
primary has told it, and the lag is 0 however idle the primary. Only while WAL waits to be
replayed (replay paused or slow), or while the WAL receiver is disconnected (the replica
cannot know what it is missing), is the lag taken as the age of the last replayed
transaction, an upper bound. The price: after a long idle spell, the first new WAL makes that
bound briefly large, and reads go to the primary until the next probe a second later, which
is harmless. No heartbeat table is written, so no node has to write to the primary for the
replica to be usable.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
CHECK_SECONDS = 1.0
"""How long one probe's answer is trusted by the process that made it."""

REPLICA_MODELS = frozenset(
    {
        "catalog.work",
        "catalog.record",
        "catalog.recordidentifier",
        "catalog.item",
        "library.library",
        "library.branch",
        "library.openinghours",
        "library.closedday",
    }
)
"""The public catalogue's tables: none names a patron (tests/core/test_replica.py checks them
against the patron data registry)."""

_reading: ContextVar[bool] = ContextVar("libdesk_replica_reads", default=False)

PROBE = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


def configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    return float(settings.LIBDESK["REPLICA_MAX_LAG_SECONDS"])


@dataclass
class Probe:
    """The last answer: whether the replica may be read, why not, and when it was asked."""

    usable: bool = False
    why: str = "not probed yet"
    at: float = float("-inf")


_last = Probe()
_probing = threading.Lock()


def lag_of(in_recovery: bool, receiving: bool, caught_up: bool, age: float | None) -> float:
    """Seconds the replica is behind the primary, at most (see the module's note); infinite
    when it is not a standby or cannot tell."""
    if not in_recovery:
        return float("inf")
    if receiving and caught_up:
        return 0.0
    return float("inf") if age is None else max(0.0, age)


def _probe() -> tuple[bool, str]:
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(PROBE)
            in_recovery, receiving, caught_up, age = cursor.fetchone()
    except (DatabaseError, InterfaceError) as error:
        connection.close()
        return False, f"it does not answer ({type(error).__name__})"
    if not in_recovery:
        return False, "it is not a standby (promoted?)"
    lag = lag_of(in_recovery, receiving, caught_up, None if age is None else float(age))
    if lag > max_lag():
        shown = "unknown" if lag == float("inf") else f"{lag:.1f} s"
        return False, f"it lags {shown}, more than {max_lag():g} s"
    return True, ""


def usable(force: bool = False) -> bool:
    """Whether anonymous catalogue reads may go to the replica now: the last probe's answer
    while younger than CHECK_SECONDS, else a new probe (unless another thread is making one)."""
    global _last
    if not configured():
        return False
    now = time.monotonic()
    if not force and now - _last.at < CHECK_SECONDS:
        return _last.usable
    if not _probing.acquire(blocking=False):
        return _last.usable
    try:
        ok, why = _probe()
        first = _last.at == float("-inf")
        if (first and not ok) or (not first and ok != _last.usable):
            if ok:
                logger.warning("The read replica is used again for anonymous catalogue reads.")
            else:
                logger.warning(
                    "The read replica is left aside: %s; anonymous catalogue reads go to the "
                    "primary.",
                    why,
                )
        _last = Probe(ok, why, time.monotonic())
        return ok
    finally:
        _probing.release()


@contextmanager
def catalogue_reads() -> Iterator[bool]:
    """Reads of the public catalogue tables go to the replica within this block, if one is
    configured and usable; says whether they do."""
    if not usable():
        yield False
        return
    token = _reading.set(True)
    try:
        yield True
    finally:
        _reading.reset(token)


def reading_replica() -> bool:
    return _reading.get()


def carries_no_credentials(request) -> bool:
    """No API token and no member of staff signed in: the API's anonymous caller."""
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def anonymous_reads(is_anonymous: Callable) -> Callable:
    """A decorator for the anonymous catalogue doors: a GET or HEAD by nobody signed in
    (`is_anonymous(request)`, asked of the primary) reads the catalogue from the replica. If
    the replica fails during the view (it stopped since the last probe), the replica is
    probed again at once and the view answers again from the primary."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or not configured():
                return view(request, *args, **kwargs)
            if not is_anonymous(request):
                return view(request, *args, **kwargs)
            with catalogue_reads() as on_replica:
                if not on_replica:
                    return view(request, *args, **kwargs)
                try:
                    return view(request, *args, **kwargs)
                except (DatabaseError, InterfaceError):
                    if usable(force=True):
                        raise  # the replica is fine: the error is not its doing
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class ReplicaRouter:
    """Installed only with a replica (settings.DATABASE_ROUTERS). Answers every question
    explicitly, so that a related object's database (Django's fallback) never decides."""

    def db_for_read(self, model, **hints) -> str:
        if (
            _reading.get()
            and getattr(model._meta, "label_lower", None) in REPLICA_MODELS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
