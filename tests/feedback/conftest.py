"""Comments through their doors: a browser per persona, and API calls with or without a
patron token."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import AVERY, PINS, bearer


@pytest.fixture
def avery_browser(demo_library) -> Client:
    """Avery signed in on the web."""
    browser = Client()
    response = browser.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    assert response.status_code == 302
    cache.clear()  # the sign-in counts against the address's limits
    return browser


@pytest.fixture
def comment_api(client, patron_token):
    """`comment_api(body)` posts a comment anonymously; `comment_api(body, AVERY)` with her
    token."""

    def post(body: dict, card: str | None = None):
        headers = bearer(patron_token(card)) if card else {}
        return client.post("/api/v1/feedback", body, content_type="application/json", **headers)

    return post


@pytest.fixture
def librarian(staff_client) -> Client:
    return staff_client("librarian")


def avery_id() -> int:
    from libdesk.patrons.models import Patron

    return Patron.objects.get(card_number=AVERY).pk
