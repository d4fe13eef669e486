"""The cache every process shares: files beside the database on SQLite (diskcache), the
database on PostgreSQL (its table made by `libdesk migrate`), Redis by setting; rate-limit
counters and clause titles live in it, and no address is kept in clear."""

import pytest
from django.core.cache import cache, caches
from django.db import connection

from libdesk.core import clock
from libdesk.core.models import CacheCounter
from libdesk.settings import _cache_from_url

pytestmark = pytest.mark.django_db


def stored_keys() -> list[str]:
    """Every key in the shared cache, whichever backend holds it: the database cache keeps
    its counters in a table of their own."""
    backend = caches["default"]
    if hasattr(backend, "_cache"):  # diskcache: several SQLite shards
        return [str(key) for shard in backend._cache._shards for key in shard.iterkeys()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM libdesk_cache")
        keys = [row[0] for row in cursor.fetchall()]
    return keys + list(CacheCounter.objects.values_list("name", flat=True))


def test_the_default_cache_is_shared_by_every_process():
    expected = "KeptOpenDiskCache" if connection.vendor == "sqlite" else "CountingDatabaseCache"
    assert type(caches["default"]).__name__ == expected
    if expected == "CountingDatabaseCache":
        assert "libdesk_cache" in connection.introspection.table_names()


def test_search_counters_are_one_per_address_and_window(client, demo_library):
    with clock.travel_to(clock.now()):
        cache.clear()
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.7")
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.7")
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.8")
        counters = [k for k in stored_keys() if "ratelimit:search" in k]
    assert len(counters) == 2


def test_no_address_is_stored_in_clear(client, demo_library):
    client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.77")
    keys = " ".join(stored_keys())
    assert "ratelimit:search" in keys and "192.0.2.77" not in keys


def test_clause_titles_are_cached_and_a_new_policy_version_clears_them(demo_library):
    from libdesk.policies.selectors import clause_titles, forget_clause_titles

    clause = "OP-02-01-01/equal-consideration"
    assert clause_titles([clause], "en") == {clause: "Optimum service for all"}
    key_count = len(stored_keys())
    assert clause_titles([clause], "en") == {clause: "Optimum service for all"}
    assert len(stored_keys()) == key_count  # read from the cache, not written again
    forget_clause_titles()
    assert clause_titles([clause], "fr")[clause] == "Le meilleur service pour tous"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("disk://", "libdesk.core.filecache.KeptOpenDiskCache", None),
        ("db://", "libdesk.core.dbcache.CountingDatabaseCache", "libdesk_cache"),
        (
            "redis://127.0.0.1:6379/0",
            "django.core.cache.backends.redis.RedisCache",
            "redis://127.0.0.1:6379/0",
        ),
        ("rediss://cache.example:6380/1", "django.core.cache.backends.redis.RedisCache", None),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", None),
    ],
)
def test_libdesk_cache_url_chooses_the_backend(url, backend, location):
    chosen = _cache_from_url(url)
    assert chosen["BACKEND"] == backend
    if location:
        assert chosen["LOCATION"] == location


def test_an_unknown_cache_url_is_refused_with_the_forms_it_takes():
    with pytest.raises(ValueError, match="disk://, db://, redis://"):
        _cache_from_url("memcached://127.0.0.1:11211")


def test_the_file_cache_keeps_its_connection_between_requests(client, demo_library):
    """Django closes every cache after each request; the file cache's SQLite connection stays
    open for the thread's next request (core/filecache.py), and one counter per address still."""
    backend = caches["default"]
    if not hasattr(backend, "_cache"):
        assert connection.vendor != "sqlite"  # the database or Redis cache: nothing kept here
        return
    with clock.travel_to(clock.now()):
        cache.clear()
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.9")
        opened = open_connections(backend)
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.9")
        still = open_connections(backend)
        counters = [k for k in stored_keys() if "ratelimit:search" in k]
    assert opened and still == opened
    assert len(counters) == 1


def open_connections(backend) -> list:
    """This thread's open SQLite connections to the file cache's shards."""
    shards = backend._cache._shards
    return [con for shard in shards if (con := getattr(shard._local, "con", None)) is not None]
