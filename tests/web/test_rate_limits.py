"""Anonymous forms are rate-limited per address, and the refusal explains itself."""

import itertools
from datetime import timedelta
from html import unescape

import pytest

from libdesk.core import clock

pytestmark = pytest.mark.django_db

CARDS = itertools.count(29000000009000)


def post_sign_in(client, address="192.0.2.10", **headers):
    """A wrong PIN for a different unknown card each time: no card's own lock is reached
    (unknown cards lock like known ones), so only the address limit applies."""
    form = {"card": str(next(CARDS)), "pin": "0000"}
    return client.post("/account/sign-in/", form, REMOTE_ADDR=address, **headers)


def test_the_eleventh_attempt_in_ten_minutes_is_refused_with_its_clause(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(10):
            assert post_sign_in(client).status_code == 200
        response = post_sign_in(client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    page = unescape(response.content.decode())
    assert "too many attempts from this connection" in page
    assert "Optimum service for all (OP-02-01-01/equal-consideration)" in page
    assert "/ask-why/?clause=OP-02-01-01%2Fequal-consideration" in page


def test_the_refusal_speaks_the_callers_language(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(10):
            post_sign_in(client)
        page = unescape(post_sign_in(client, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Il y a eu trop de tentatives" in page
    assert "Le meilleur service pour tous" in page


def test_another_address_is_not_held_back(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(11):
            post_sign_in(client, "192.0.2.10")
        assert post_sign_in(client, "192.0.2.99").status_code == 200


def test_the_limit_lifts_when_the_window_has_passed(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(11):
            post_sign_in(client)
        clock.advance(timedelta(minutes=11))
        assert post_sign_in(client).status_code == 200


def test_reading_the_form_is_never_limited(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(11):
            post_sign_in(client)
        assert client.get("/account/sign-in/", REMOTE_ADDR="192.0.2.10").status_code == 200


def test_staff_sign_in_is_limited_too(client, demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(10):
            client.post("/staff/sign-in/", {"username": "x", "password": "y"})
        assert client.post("/staff/sign-in/", {"username": "x", "password": "y"}).status_code == 429


@pytest.mark.parametrize(
    "first,second,same",
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", True),  # one /64: one caller
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("::ffff:192.0.2.7", "192.0.2.7", True),  # IPv4 written as IPv6
        ("192.0.2.7", "192.0.2.8", False),
    ],
)
def test_an_ipv6_caller_counts_by_its_64(first, second, same):
    from libdesk.core.ratelimit import caller_of

    assert (caller_of(first) == caller_of(second)) is same


def test_addresses_across_one_64_share_the_sign_in_limit(client, demo_library):
    with clock.travel_to(clock.now()):
        for n in range(10):
            assert post_sign_in(client, address=f"2001:db8:7:7::{n + 1:x}").status_code == 200
        assert post_sign_in(client, address="2001:db8:7:7:abcd::1").status_code == 429
