"""Each node's search index follows the shared outbox (docs/deployment-nodes.md).

Why: several `libdesk run` nodes share one database, and each keeps its own search index under
its own data dir. A catalogue or availability change writes an outbox row in its own
transaction; every node's follower reads the rows past its cursor (IndexNode.cursor) every
POLL_SECONDS and applies them to its index. Rows are deleted once every live node has passed
them; a node that comes back behind what was deleted rebuilds its index from the database.

The cursor is the outbox id up to which every row is in the index. On PostgreSQL ids are taken
from a sequence when a row is inserted, not when it commits: a row with a smaller id can become
visible after a larger one. A missing id is a gap, remembered with the newest transaction id
of the moment it was seen (`pg_snapshot_xmax`); rows past it are applied at once, but the
cursor waits below the gap until every transaction that could still fill it has ended (the
oldest running transaction, `pg_snapshot_xmin`, is past that mark). On SQLite writers take
turns (IMMEDIATE transactions), so a gap can never fill later and the cursor passes it at once.

The index's writer is one per node (a file lock, engine.py): whoever holds it (the follower
service, an import, `catalog reindex`) reads this node's cursor after taking it and saves the
new cursor only after the index has committed, so a crash applies some rows twice, never none.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min, Q

from libdesk.catalog.models import IndexNode, OutboxEntry, OutboxHorizon, Record
from libdesk.catalog.search.engine import TantivyEngine
from libdesk.catalog.search.indexer import DRAIN_BATCH, IndexAlong, documents, engine
from libdesk.core import clock
from libdesk.core.leases import node_id

POLL_SECONDS = 0.5
"""How often the follower service looks for new outbox rows: a change on one node is found by
search on every other within about a second. An idle poll is one primary-key range read."""

logger = logging.getLogger(__name__)


def _timeout() -> float:
    return float(settings.LIBDESK["NODE_TIMEOUT_SECONDS"])


@dataclass
class Gap:
    """Outbox ids low..high not seen yet, and the transaction-id mark they wait for (None
    until the first look at the database after the gap was seen)."""

    low: int
    high: int
    mark: int | None = None


class Follower:
    """This node's progress through the outbox, kept in memory between polls."""

    def __init__(self, search: TantivyEngine | None = None) -> None:
        self.search = search or engine()
        self.node = node_id()
        self.cursor: int | None = None
        self.seen_through = 0
        self.gaps: list[Gap] = []
        self.rebuilt = False
        self._beat_at = 0.0

    # --- under the writer ---------------------------------------------------------------

    def sync(self, writer) -> None:
        """Take this node's cursor from the database (another process of this node may have
        moved it), and rebuild the index first if it has never been built or has fallen
        behind the pruned outbox."""
        row, _ = IndexNode.objects.get_or_create(
            node_id=self.node, defaults={"seen_at": clock.now()}
        )
        if row.cursor != self.cursor:
            self.cursor, self.seen_through, self.gaps = row.cursor, row.cursor or 0, []
        horizon = _horizon().pruned_through
        if row.cursor is None or row.rebuilt_at is None or row.cursor < horizon:
            if row.cursor is not None and row.rebuilt_at is not None:
                logger.warning(
                    "search index of node %s is behind the pruned outbox (at %s, pruned through "
                    "%s): rebuilding it",
                    self.node,
                    row.cursor,
                    horizon,
                )
            self.rebuild(writer)

    def rebuild(self, writer) -> int:
        """Reindex every record into this node's index, from scratch. The cursor is set first
        to what is left of the outbox (so pruning waits for this node meanwhile), and every row
        still there is applied again afterwards."""
        with transaction.atomic():
            horizon = OutboxHorizon.objects.select_for_update().get(pk=_horizon().pk)
            IndexNode.objects.filter(node_id=self.node).update(
                cursor=horizon.pruned_through, rebuilt_at=None, seen_at=clock.now()
            )
        self.cursor = self.seen_through = horizon.pruned_through
        self.gaps = []
        self.search.clear(writer)
        ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
        count = 0
        for start in range(0, len(ids), DRAIN_BATCH):
            docs, _ = documents(ids[start : start + DRAIN_BATCH])
            self.search.write(writer, docs, [])
            count += len(docs)
            self.beat()
        self.rebuilt = True
        return count

    def apply(self, writer, skip: Iterable[int] = ()) -> int:
        """Apply every outbox row past this node's cursor (those in `skip` are already in the
        index); returns how many records were reindexed. The caller commits the writer, then
        calls `save()`."""
        skip = set(skip)
        total = 0
        while True:
            found = self._gap_rows()
            new = list(
                OutboxEntry.objects.filter(pk__gt=self.seen_through)
                .order_by("pk")
                .values_list("pk", "record_id")[:DRAIN_BATCH]
            )
            records = sorted({r for pk, r in (*found, *new) if pk not in skip})
            if records:
                docs, removed = documents(records)
                self.search.write(writer, docs, removed)
                total += len(records)
            self._note(found, new)
            if len(new) < DRAIN_BATCH:
                return total

    def _gap_rows(self) -> list[tuple[int, int]]:
        if not self.gaps:
            return []
        within = Q()
        for gap in self.gaps:
            within |= Q(pk__range=(gap.low, gap.high))
        return list(OutboxEntry.objects.filter(within).values_list("pk", "record_id"))

    def _note(self, found: list[tuple[int, int]], new: list[tuple[int, int]]) -> None:
        """Move past what was read: fill gaps with rows found in them, open gaps before new
        rows whose ids skip ahead, close the gaps no transaction can fill any more."""
        for pk, _ in found:
            self.gaps = [*_split(self.gaps, pk)]
        expected = self.seen_through + 1
        for pk, _ in new:
            if pk > expected:
                self.gaps.append(Gap(expected, pk - 1))
            expected = pk + 1
        if new:
            self.seen_through = new[-1][0]
        self._close_gaps()
        self.cursor = self.gaps[0].low - 1 if self.gaps else self.seen_through

    def _close_gaps(self) -> None:
        if not self.gaps:
            return
        if connection.vendor != "postgresql":
            self.gaps = []  # SQLite: writers take turns, so no earlier id commits later
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint "
                "FROM pg_current_snapshot() AS s"
            )
            oldest_running, next_id = cursor.fetchone()
        for gap in self.gaps:
            if gap.mark is None:
                gap.mark = next_id
        self.gaps = [g for g in self.gaps if g.mark > oldest_running]

    # --- in the database ----------------------------------------------------------------

    def save(self) -> None:
        """Record the cursor (after the index committed) and the heartbeat."""
        now = clock.now()
        changes = {"cursor": self.cursor, "seen_at": now}
        if self.rebuilt:
            changes["rebuilt_at"] = now
            self.rebuilt = False
        IndexNode.objects.filter(node_id=self.node).update(**changes)
        self._beat_at = time.monotonic()

    def beat(self, every: float = 0) -> None:
        """The heartbeat, at most once per `every` seconds."""
        if time.monotonic() - self._beat_at < every:
            return
        IndexNode.objects.filter(node_id=self.node).update(seen_at=clock.now())
        self._beat_at = time.monotonic()

    def _idle(self) -> bool:
        """Nothing to do: no row past what this process has seen, no gap to look into, and
        the outbox not pruned past this node's cursor."""
        if self.cursor is None or self.gaps:
            return False
        if OutboxEntry.objects.filter(pk__gt=self.seen_through).exists():
            return False
        pruned = OutboxHorizon.objects.values_list("pruned_through", flat=True).first() or 0
        return pruned <= self.cursor

    def follow_once(self, *, wait: bool = False) -> int:
        """One poll: apply what is new to this node's index, save the cursor, prune. Returns
        how many records were reindexed, or -1 if another process of this node holds the
        writer (wait=False). An idle poll reads two rows' worth and leaves the index alone."""
        if self._idle():
            return 0
        with self.search.writer(wait=wait) as writer:
            if writer is None:
                return -1
            self.sync(writer)
            before = self.cursor
            count = self.apply(writer)
        if self.cursor != before or self.rebuilt:
            self.save()
            prune()
        return count


def _split(gaps: list[Gap], pk: int) -> Iterator[Gap]:
    for gap in gaps:
        if gap.low <= pk <= gap.high:
            if gap.low < pk:
                yield Gap(gap.low, pk - 1, gap.mark)
            if pk < gap.high:
                yield Gap(pk + 1, gap.high, gap.mark)
        else:
            yield gap


def _horizon() -> OutboxHorizon:
    horizon, _ = OutboxHorizon.objects.get_or_create(pk=1)
    return horizon


def prune() -> int:
    """Delete the outbox rows every live node has passed; returns how many. A node silent for
    LIBDESK_NODE_TIMEOUT_SECONDS does not count (it rebuilds when it comes back behind)."""
    _horizon()
    live_since = clock.now() - timedelta(seconds=_timeout())
    with transaction.atomic():
        horizon = OutboxHorizon.objects.select_for_update().get(pk=1)
        lowest = IndexNode.objects.filter(seen_at__gte=live_since, cursor__isnull=False).aggregate(
            low=Min("cursor")
        )["low"]
        if lowest is None or lowest <= horizon.pruned_through:
            return 0
        deleted, _ = OutboxEntry.objects.filter(pk__lte=lowest).delete()
        horizon.pruned_through = lowest
        horizon.save(update_fields=["pruned_through"])
    return deleted


_followers: dict[tuple[str, str], Follower] = {}


def this_node() -> Follower:
    """This process's follower for this node's index."""
    search = engine()
    key = (node_id(), str(search.path))
    if key not in _followers:
        _followers[key] = Follower(search)
    return _followers[key]


def follow_outbox(*, wait: bool = True) -> int:
    """Apply what this node's index has not seen yet (the indexer task, and tests)."""
    return this_node().follow_once(wait=wait)


def run_follower(every: float = POLL_SECONDS, *, rounds: int | None = None) -> None:
    """The follower service of `libdesk run`: poll every `every` seconds until SIGTERM or
    SIGINT (or `rounds` polls), with a heartbeat even while an import holds the writer."""
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    follower = this_node()
    done = 0
    while not stopping and (rounds is None or done < rounds):
        follower.follow_once(wait=False)
        follower.beat(every=_timeout() / 4)
        done += 1
        deadline = time.monotonic() + every
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, every))
    connection.close()


@contextmanager
def index_along() -> Iterator[IndexAlong]:
    """An import's indexing: records go into this node's index as they are stored (holding
    its writer); at each commit the rest of the outbox is applied past them and the cursor
    saved, so the rows the import wrote are not indexed a second time here."""
    follower = this_node()
    with follower.search.writer() as writer:
        follower.sync(writer)

        def caught_up(covered: list[int]) -> None:
            follower.apply(writer, skip=covered)
            writer.commit()
            follower.save()

        along = IndexAlong(follower.search, writer, caught_up)
        yield along
        along.flush()
    prune()


def wait_until_indexed(timeout: float = 300) -> bool:
    """Until every outbox row visible now is in this node's index: applied here, or by the
    process of this node that holds the writer (its saved cursor passes them)."""
    target = OutboxEntry.objects.aggregate(top=Max("pk"))["top"] or 0
    follower = this_node()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if follower.follow_once(wait=False) >= 0 and follower.seen_through >= target:
            return True
        saved = IndexNode.objects.filter(node_id=follower.node).values_list("cursor", flat=True)
        if (saved.first() or 0) >= target:
            return True
        time.sleep(0.2)
    return False


def rebuild() -> int:
    """`libdesk catalog reindex`: this node's index from scratch; other nodes' are untouched."""
    follower = this_node()
    with follower.search.writer() as writer:
        follower.sync(writer)
        count = follower.rebuild(writer) if not follower.rebuilt else _count_documents()
        follower.apply(writer)
    follower.save()
    prune()
    return count


def _count_documents() -> int:
    return Record.objects.count()


def index_lag() -> int:
    """Outbox rows this node's index has not applied yet (for /readyz and metrics); every
    record while the index has never been built or is being rebuilt."""
    row = IndexNode.objects.filter(node_id=node_id()).values("cursor", "rebuilt_at").first()
    if row is None or row["cursor"] is None or row["rebuilt_at"] is None:
        return Record.objects.count()
    return OutboxEntry.objects.filter(pk__gt=row["cursor"]).count()
