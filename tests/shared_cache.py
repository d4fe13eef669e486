"""A pytest plugin (`-p tests.shared_cache` in pyproject.toml): the cache lives in the database
(settings.CACHES), so a test reaches it only through its database.

Plugin fixtures are set up before the suite's conftest fixtures, so this one gives a test with
database access that access before anything else touches the cache (the suite's cache-clearing
fixture among them). A test without database access has no database to share a cache through:
it gets a cache of its own in memory.
"""

from collections.abc import Iterator

import pytest
from django.test import override_settings

TRANSACTIONAL = ("transactional_db", "live_server")
MEMORY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _cache_reaches_database(request: pytest.FixtureRequest) -> Iterator[None]:
    names = request.fixturenames
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
    elif any(name in names for name in TRANSACTIONAL):
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        with override_settings(CACHES=MEMORY_CACHE):
            yield
        return
    yield
