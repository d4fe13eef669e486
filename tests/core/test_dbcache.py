"""The database cache's counters (core/dbcache.py): one upsert a hit, exact under concurrent
hits, gone past their expiry, emptied with the cache, unlogged on PostgreSQL; and the rate
limits counted through them over HTTP on either database."""

import threading
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from libdesk.core import clock, retention
from libdesk.core.dbcache import CountingDatabaseCache
from libdesk.core.models import CacheCounter
from libdesk.settings import _cache_from_url

DATABASE_CACHE = {"default": _cache_from_url("db://")}


def counting_cache() -> CountingDatabaseCache:
    return CountingDatabaseCache("libdesk_cache", {})


@pytest.fixture
def database_cache(db):
    """The database cache as the shared cache, its table made (on SQLite it is not there)."""
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
        yield caches["default"]


@pytest.mark.django_db
def test_each_hit_is_counted_in_one_statement_and_answers_the_count():
    cache = counting_cache()
    with CaptureQueriesContext(connection) as queries:
        counts = [cache.count_hit("ratelimit:search:1:aaaa", timeout=61) for _ in range(3)]
    assert counts == [1, 2, 3]
    upserts = [q["sql"] for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]
    assert len(upserts) == 3
    assert cache.count_hit("ratelimit:search:1:bbbb", timeout=61) == 1
    stored = dict(CacheCounter.objects.values_list("name", "hits"))
    assert sorted(stored.values()) == [1, 3]
    assert all(name.endswith(("aaaa", "bbbb")) for name in stored)


@pytest.mark.django_db(transaction=True)
def test_hits_at_once_from_many_threads_are_each_counted_once():
    """Four threads hit one counter 25 times each: the answers are 1 to 100, each once (a read
    then a write would give some twice and end short)."""
    answers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def hit_25_times() -> None:
        cache = counting_cache()
        start.wait()
        try:
            for _ in range(25):
                count = cache.count_hit("ratelimit:search:7:cccc", timeout=61)
                with lock:
                    answers.append(count)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hit_25_times) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(1, 101))
    assert CacheCounter.objects.get().hits == 100


@pytest.mark.django_db
def test_a_later_hit_leaves_the_counters_expiry_where_its_window_put_it():
    cache = counting_cache()
    start = clock.now()
    with clock.travel_to(start):
        cache.count_hit("ratelimit:search:9:gggg", timeout=61)
    with clock.travel_to(start + timedelta(seconds=50)):
        assert cache.count_hit("ratelimit:search:9:gggg", timeout=11) == 2
    expires = CacheCounter.objects.get().expires
    assert abs((expires - (start + timedelta(seconds=61))).total_seconds()) < 1


@pytest.mark.django_db
def test_counters_past_their_expiry_are_purged_and_current_ones_kept(database_cache):
    cache = database_cache
    moment = clock.now()
    with clock.travel_to(moment - timedelta(minutes=5)):
        cache.count_hit("ratelimit:search:old:dddd", timeout=61)
    with clock.travel_to(moment):
        cache.count_hit("ratelimit:search:now:dddd", timeout=61)
        assert cache.expire() == 1
    assert list(CacheCounter.objects.values_list("name", flat=True)) == [
        cache.make_key("ratelimit:search:now:dddd")
    ]
    cache.clear()
    assert not CacheCounter.objects.exists()


@pytest.mark.django_db
def test_the_retention_purge_deletes_expired_counters(database_cache):
    with clock.travel_to(clock.now() - timedelta(hours=2)):
        database_cache.count_hit("ratelimit:feedback:1:eeee", timeout=3601)
    database_cache.count_hit("ratelimit:feedback:2:eeee", timeout=3601)
    assert retention.purge_all()["core.cache_entries"] == 1
    assert CacheCounter.objects.count() == 1


@pytest.mark.django_db
def test_a_thread_that_counts_deletes_expired_counters_once_a_minute(monkeypatch):
    cache = counting_cache()
    with clock.travel_to(clock.now() - timedelta(minutes=5)):
        cache.count_hit("ratelimit:search:old:ffff", timeout=61)  # purges nothing yet
    assert CacheCounter.objects.count() == 1
    cache.count_hit("ratelimit:search:new:ffff", timeout=61)
    assert CacheCounter.objects.count() == 2  # within the minute: no second purge
    monkeypatch.setattr(cache, "_purged_at", cache._purged_at - 61)
    cache.count_hit("ratelimit:search:new:ffff", timeout=61)
    assert list(CacheCounter.objects.values_list("hits", flat=True)) == [2]


@pytest.mark.django_db
def test_the_counters_table_is_unlogged_on_postgresql_and_ordinary_on_sqlite():
    """PostgreSQL writes no WAL for it (migration core 0005); SQLite has no such kind of
    table, so there the migration leaves it as it made it."""
    table = CacheCounter._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone()[0] == "u"
        else:
            cursor.execute("SELECT type FROM sqlite_master WHERE name = %s", [table])
            assert cursor.fetchone()[0] == "table"


@pytest.mark.django_db
def test_searches_over_http_are_limited_through_the_database_cache(
    client, demo_library, settings, database_cache
):
    """The search limit counted by the database cache, on either database: the fourth search
    in the window is refused with its clause, another address is not, and the counter's name
    holds no address."""
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_LIMIT": 3, "SEARCH_WINDOW_SECONDS": 60}
    with clock.travel_to(clock.now()):
        database_cache.clear()
        pages = [
            client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.61") for _ in range(4)
        ]
        other = client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.62")
        names = list(CacheCounter.objects.values_list("name", "hits"))
    assert [page.status_code for page in pages] == [200, 200, 200, 429]
    assert "too many searches from this connection" in unescape(pages[-1].content.decode())
    assert other.status_code == 200
    assert sorted(hits for _, hits in names) == [1, 4]
    assert not any("192.0.2" in name for name, _ in names)
