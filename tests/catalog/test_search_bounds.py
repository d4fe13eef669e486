"""Search is bounded at every door: a maximum result window in the engine interface, a
query length and word limit, and a per-address rate limit counted in the shared cache."""

from datetime import timedelta
from html import unescape

import pytest

from libdesk.catalog.search.engine import SearchRequest
from libdesk.catalog.search.query import parse
from libdesk.core import clock
from libdesk.core.errors import InputError

pytestmark = pytest.mark.django_db

PATHOLOGICAL = [
    "a" * 300,
    " ".join(["ab*"] * 4),
    " ".join(["ab*"] * 32),
    '"' * 150 + "x" * 150,
    "(" * 100 + "title:" * 30 + ")" * 20,
    "title:" + '"' + "the " * 70 + '"',
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 " * 30 + "ü",
    "\x00" * 300,
    "*" * 300,
    "a* " * 32,
    "isbn:" + "9" * 295,
    "garden " * 32,
]


@pytest.mark.parametrize(
    ("page", "limit", "field"),
    [(501, 20, "page"), (10_001, 1, "page"), (0, 20, "page"), (1, 0, "limit"), (1, 101, "limit")],
)
def test_the_engine_interface_refuses_pages_past_the_result_window(page, limit, field):
    with pytest.raises(InputError) as refused:
        SearchRequest(parse("garden"), page=page, limit=limit)
    assert refused.value.field == field


def test_the_last_page_inside_the_window_is_allowed():
    assert SearchRequest(parse("garden"), page=500, limit=20).offset == 9_980
    assert SearchRequest(parse("garden"), page=10_000, limit=1).offset == 9_999


def test_a_query_has_at_most_32_words():
    SearchRequest(parse(" ".join(["word"] * 32)))
    with pytest.raises(InputError) as refused:
        SearchRequest(parse(" ".join(["word"] * 33)))
    assert refused.value.field == "q"


def test_a_query_has_at_most_4_words_ending_in_a_star():
    SearchRequest(parse("gard* hist* can* art* plain words"))
    with pytest.raises(InputError) as refused:
        SearchRequest(parse("gard* hist* can* art* mus*"))
    assert refused.value.field == "q"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "garden", "page": 501}, "page"),
        ({"q": "garden", "page": 10**30}, "page"),
        ({"q": "garden", "page": -1}, "page"),
        ({"q": "garden", "page": 10_000, "limit": 2}, "page"),
        ({"q": "garden", "limit": 10**6}, "limit"),
        ({"q": "x" * 301}, "q"),
        ({"q": "word " * 33}, "q"),
        ({"q": "ab* " * 5}, "q"),
        ({"q": "garden", "year_from": 10**20}, "year_from"),
        ({"q": "garden", "subject": "s" * 201}, "subject"),
    ],
)
def test_the_api_answers_422_naming_the_field(client, demo_library, params, field):
    response = client.get("/api/v1/catalog/search", params)
    assert response.status_code == 422, response.content
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_the_api_serves_the_last_page_of_the_window(client, demo_library):
    response = client.get("/api/v1/catalog/search", {"q": "garden", "page": 100, "limit": 100})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"q": "garden", "page": 501}, "Page"),
        ({"q": "garden", "page": "99999999999999999999999"}, "Page"),
        ({"q": "garden", "page": "abc"}, "Page"),
        ({"q": "word " * 33}, "Search the catalogue"),
        ({"q": "garden", "year_from": "-5"}, "Published from"),
        ({"subject": "s" * 201}, "Subject"),
    ],
)
def test_the_search_page_shows_a_form_error_naming_the_field(client, demo_library, params, label):
    response = client.get("/search/", params)
    assert response.status_code == 422
    page = unescape(response.content.decode())
    assert f"<li>{label}: " in page
    assert "result-list" not in page


def test_pathological_queries_are_answered(client, demo_catalogue, settings):
    for text in PATHOLOGICAL:
        response = client.get("/api/v1/catalog/search", {"q": text})
        assert response.status_code in (200, 422), (text, response.content[:300])
        assert client.get("/search/", {"q": text}).status_code in (200, 302, 422)


def search(client, address="192.0.2.20", door="/api/v1/catalog/search", **headers):
    return client.get(door, {"q": "garden"}, REMOTE_ADDR=address, **headers)


@pytest.fixture
def limit_of_three(settings):
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_LIMIT": 3, "SEARCH_WINDOW_SECONDS": 60}


def test_the_fourth_search_in_a_minute_is_refused_with_its_decision(
    client, demo_library, limit_of_three
):
    with clock.travel_to(clock.now()):
        for _ in range(3):
            assert search(client).status_code == 200
        response = search(client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    decision = response.json()["decision"]
    assert decision["code"] == "search_rate_limited"
    assert decision["clauses"][0]["id"] == "OP-02-01-01/equal-consideration"


def test_web_and_api_count_together_and_the_page_explains(client, demo_library, limit_of_three):
    with clock.travel_to(clock.now()):
        search(client)
        search(client, door="/search/")
        search(client)
        response = search(client, door="/search/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429 and response["Retry-After"]
    page = unescape(response.content.decode())
    assert "trop de recherches depuis cette connexion" in page
    assert "Le meilleur service pour tous" in page


def test_other_addresses_and_the_next_window_are_not_held_back(
    client, demo_library, limit_of_three
):
    with clock.travel_to(clock.now()):
        for _ in range(4):
            search(client)
        assert search(client, address="192.0.2.21").status_code == 200
        clock.advance(timedelta(seconds=61))
        assert search(client).status_code == 200


def test_opening_the_empty_search_page_is_not_counted(client, demo_library, limit_of_three):
    with clock.travel_to(clock.now()):
        for _ in range(5):
            assert client.get("/search/", REMOTE_ADDR="192.0.2.20").status_code == 200
        assert search(client).status_code == 200
