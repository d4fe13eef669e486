"""One limit on query strings for every door: past LIBDESK_MAX_QUERY_STRING_BYTES, 414 with a
message that says what was too long, before any view runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

LIMIT = 8192
DOORS = [
    "/search/",
    "/",
    "/policies/",
    "/staff/audit/",
    "/api/v1/catalog/search",
    "/api/v1/me",
    "/api/v1/policies/due",
    "/no/such/page/",
]


@pytest.mark.parametrize("path", DOORS)
def test_a_40_kb_query_string_is_refused_before_any_view_runs(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{path}?q=" + "x" * 40_000)
    assert response.status_code == 414
    assert len(queries) == 0  # no session, no search, no page: nothing was read
    text = response.content.decode()
    assert "40002 bytes" in text and f"at most {LIMIT}" in text


def test_the_api_answers_json_and_the_web_html(client):
    api = client.get("/api/v1/catalog/search?q=" + "x" * 9000)
    assert api["Content-Type"] == "application/json"
    assert "query string" in api.json()["detail"]
    page = client.get("/search/?q=" + "x" * 9000)
    assert page["Content-Type"].startswith("text/html")
    assert "<h1>Address too long</h1>" in page.content.decode()


def test_the_message_speaks_the_callers_language(client):
    response = client.get("/search/?q=" + "x" * 9000, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Adresse trop longue" in response.content.decode()


def test_a_query_string_at_the_limit_is_served(client, demo_library):
    query = "q=" + "x" * (LIMIT - 2)
    assert len(query) == LIMIT
    assert client.get(f"/policies/?{query}").status_code == 200
    assert client.get(f"/policies/?{query}x").status_code == 414


def test_the_limit_is_a_setting(client, demo_library, settings):
    settings.LIBDESK = {**settings.LIBDESK, "MAX_QUERY_STRING_BYTES": 100}
    assert client.get("/policies/?q=" + "x" * 98).status_code == 200
    assert client.get("/policies/?q=" + "x" * 99).status_code == 414


def test_bytes_are_counted_not_characters(client, demo_library, settings):
    settings.LIBDESK = {**settings.LIBDESK, "MAX_QUERY_STRING_BYTES": 100}
    # 30 characters, each three bytes of UTF-8 sent as %XX%XX%XX: 270 bytes.
    assert client.get("/policies/", {"q": "é" * 15 + "📚" * 15}).status_code == 414
