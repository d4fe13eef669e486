"""One URL per web route pattern, with hostile values in the path and the query string, as
anonymous, a signed-in patron, desk staff and an administrator, by GET and POST: no answer is
a server error.

The patterns come from the URL resolver, so a new route is walked as soon as it exists. The
JSON API is walked by Schemathesis (test_api_fuzz.py), from its OpenAPI description.
"""

from __future__ import annotations

import re
import traceback
from urllib.parse import quote
from uuid import UUID

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import AVERY, PINS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# In the path: huge, negative, non-numeric, unicode, NUL, overlong.
PATH_VALUES = [
    "0",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "9" * 40,
    "abc",
    "１２３",
    "é📚",
    "\x00",
    "x" * 300,
]
# In the query string and the POST body, under every name a page reads.
QUERY_VALUES = [
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "abc",
    "\x00",
    "é📚\u202e",
    "x" * 300,
    "2024-13-45",
    "9999-12-31",
    "' OR 1=1 --",
]
PARAMETERS = [
    "q", "page", "limit", "sort", "year_from", "year_to", "clause", "next", "within", "days",
    "card", "barcode", "kind", "status", "branch", "date", "pk", "id", "format", "language",
]  # fmt: skip
CONVERTER = re.compile(r"<(?:(?P<kind>[a-z]+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def route_patterns() -> list[tuple[str, URLPattern]]:
    """Every web route as a pattern string (the API's excepted), from the resolver."""

    def walk(resolver: URLResolver, prefix: str):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, route)
            else:
                yield route, entry

    routes = [(r, p) for r, p in walk(get_resolver(), "") if not r.startswith("api/")]
    # Signing out last, so the personas keep their sessions through the walk.
    return sorted(routes, key=lambda rp: "sign-out" in rp[0] or "logout" in rp[0])


def fill(route: str, value: str | None, normal: dict[str, str]) -> str:
    """The route with every parameter set to `value` (percent-encoded), or to a normal value."""

    def converter(match: re.Match) -> str:
        kind = match["kind"] or "str"
        return quote(value if value is not None else normal.get(kind, "1"), safe="")

    path = CONVERTER.sub(converter, route)
    path = GROUP.sub(lambda _: quote(value if value is not None else "1", safe=""), path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


@pytest.fixture
def personas(client, staff_client, demo_library) -> dict[str, Client]:
    patron = Client()
    response = patron.post(
        "/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302, response.content[:500]
    return {
        "anonymous": Client(),
        "patron": patron,
        "head librarian": staff_client("head"),
        "administrator": staff_client("admin"),
    }


def serving_context_id(staff: Client) -> str:
    response = staff.post("/staff/desk/card/", {"card": AVERY})
    found = re.search(r"/staff/serving/([0-9a-f-]{36})/", response.get("Location", ""))
    return str(UUID(found[1])) if found else "00000000-0000-0000-0000-000000000000"


def test_no_route_answers_a_server_error_to_hostile_values(personas):
    normal = {
        "uuid": serving_context_id(personas["head librarian"]),
        "segment": "OP-02-01-01",
        "slug": "renew",
    }
    failures = []
    for route, pattern in route_patterns():
        urls = [fill(route, value, normal) for value in PATH_VALUES]
        plain = fill(route, None, normal)
        requests = [(url, {}) for url in dict.fromkeys(urls)]
        requests += [(plain, dict.fromkeys(PARAMETERS, value)) for value in QUERY_VALUES]
        for persona, client in personas.items():
            for url, params in requests:
                for method in ("get", "post"):
                    problem = _request(client, method, url, params)
                    if problem:
                        failures.append(_describe(persona, method, url, params, pattern, problem))
    if failures:
        pytest.fail(
            f"{len(failures)} requests answered a server error:\n" + "\n".join(failures[:80]),
            pytrace=False,
        )


def _request(client: Client, method: str, url: str, params: dict) -> str | None:
    try:
        response = getattr(client, method)(url, params)
    except Exception as error:  # the test client re-raises what the view raised
        frames = [f for f in traceback.extract_tb(error.__traceback__) if "libdesk" in f.filename]
        where = f" at {frames[-1].filename.split('src/')[-1]}:{frames[-1].lineno}" if frames else ""
        return f"{type(error).__name__}: {str(error)[:160]}{where}"
    if response.status_code >= 500:
        return f"status {response.status_code}"
    return None


def _describe(persona: str, method: str, url: str, params: dict, pattern, problem: str) -> str:
    view = getattr(pattern.callback, "__module__", "?") + "." + pattern.callback.__name__
    value = next(iter(params.values()), None)
    shown = f"{url[:90]}" + (f" with every parameter = {value[:20]!r}" if params else "")
    return f"  {method.upper()} {shown} as {persona} ({view}): {problem}"
