"""The file cache libdesk uses beside a SQLite database (`disk://`).

Django closes every cache at the end of each request (`close_caches`, for backends holding a
socket). diskcache's Django backend then closes the thread's SQLite connection to its files,
so every rate-limited request opened it again: a connect, its PRAGMAs and a close with its
WAL bookkeeping, about 0.8 ms of a search's 6 (bench/README.md, issue 17). diskcache keeps one
connection per thread and is safe to use across requests, so this backend keeps it open.
"""

from __future__ import annotations

from diskcache import DjangoCache


class KeptOpenDiskCache(DjangoCache):
    """diskcache's Django cache whose per-thread connections outlive each request."""

    def close(self, **kwargs) -> None:
        """Nothing to close per request; the connections close with their threads."""
