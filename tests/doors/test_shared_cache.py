"""The cache every process shares: the database by default (its table made by `libdesk
migrate`), Redis by setting; rate-limit counters and clause titles live in it."""

import pytest
from django.core.cache import caches
from django.db import connection

from libdesk.core import clock
from libdesk.settings import _cache_from_url

pytestmark = pytest.mark.django_db


def cache_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM libdesk_cache")
        return cursor.fetchone()[0]


def test_the_default_cache_is_the_database_whose_table_migrate_made():
    assert type(caches["default"]).__name__ == "DatabaseCache"
    assert "libdesk_cache" in connection.introspection.table_names()


def test_search_counters_are_rows_every_process_reads(client, demo_library):
    with clock.travel_to(clock.now()):
        before = cache_rows()
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.7")
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.7")
        client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.8")
        assert cache_rows() == before + 2  # one counter per address and window


def test_no_address_is_stored_in_clear(client, demo_library):
    client.get("/search/", {"q": "garden"}, REMOTE_ADDR="192.0.2.77")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM libdesk_cache")
        keys = " ".join(row[0] for row in cursor.fetchall())
    assert "ratelimit:search" in keys and "192.0.2.77" not in keys


def test_clause_titles_are_cached_and_a_new_policy_version_clears_them(demo_library):
    from libdesk.policies.selectors import clause_titles, forget_clause_titles

    clause = "OP-02-01-01/equal-consideration"
    assert clause_titles([clause], "en") == {clause: "Optimum service for all"}
    key_count = cache_rows()
    assert clause_titles([clause], "en") == {clause: "Optimum service for all"}
    assert cache_rows() == key_count  # read from the cache, not written again
    forget_clause_titles()
    assert clause_titles([clause], "fr")[clause] == "Le meilleur service pour tous"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("db://", "django.core.cache.backends.db.DatabaseCache", "libdesk_cache"),
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
    with pytest.raises(ValueError, match="db://, redis://"):
        _cache_from_url("memcached://127.0.0.1:11211")
