"""How far this node's search index is behind the catalogue, for /readyz and /metrics.

A catalogue or availability change writes an outbox entry in its own transaction; the index
has applied every change once no entry is waiting for it. The lag is the count of entries
waiting: a few during a busy hour at the desk, thousands while an import runs, and a growing
number when no indexer is draining them (the worker stopped), which is when a load balancer
should stop sending this node searches that would miss new records and show stale
availability.
"""

from __future__ import annotations

from libdesk.catalog.models import OutboxEntry


def index_lag() -> int:
    """Catalogue changes waiting to be applied to this node's search index."""
    return OutboxEntry.objects.count()
