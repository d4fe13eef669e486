"""Fixtures for patrons' rights: a shelf, the demo desk, and patrons signed in on the web."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.circulation.conftest import Shelf
from tests.conftest import PINS


@pytest.fixture
def shelf(demo_library) -> Shelf:
    return Shelf()


@pytest.fixture
def desk(demo_library):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation.desk import Desk

    def at(workstation: str = "MAIN-DESK-1", username: str = "clerk") -> Desk:
        return Desk.staff_at(
            StaffUser.objects.get(username=username), Workstation.objects.get(name=workstation)
        )

    return at


@pytest.fixture
def patron(demo_library):
    from libdesk.patrons.models import Patron

    return lambda card: Patron.objects.get(card_number=card)


@pytest.fixture
def browser(demo_library):
    """A browser with the patron of this card signed in to their account."""

    def sign_in(card: str) -> Client:
        client = Client()
        response = client.post("/account/sign-in/", {"card": card, "pin": PINS[card]})
        assert response.status_code == 302, response.content[:500]
        cache.clear()  # sign-ins count against the form's per-address limit
        return client

    return sign_in


def consent(client: Client, token: str, **choices: bool):
    """PUT /api/v1/me/consents with a patron's token."""
    return client.put(
        "/api/v1/me/consents",
        choices,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
