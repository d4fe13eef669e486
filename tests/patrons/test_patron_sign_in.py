"""Patrons sign in with card and PIN; a per-card, per-channel lockout on a frozen clock."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client

from libdesk.core import clock, lockout
from libdesk.core.decisions import Refused
from libdesk.patrons.models import Patron
from libdesk.patrons.services import SignInFailed, authenticate_patron
from tests.conftest import AVERY, BEATRICE, PINS

pytestmark = pytest.mark.django_db


def web_sign_in(client, card=AVERY, pin=PINS[AVERY]):
    return client.post("/account/sign-in/", {"card": card, "pin": pin})


def api_sign_in(client, card=AVERY, pin=PINS[AVERY]):
    return client.post(
        "/api/v1/auth/patron", {"patron_card": card, "pin": pin}, content_type="application/json"
    )


def test_a_patron_signs_in_and_sees_their_own_account(client, demo_library):
    response = web_sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = client.get("/account/")
    assert "Hello, Avery Lindqvist" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert AVERY not in page.content.decode()  # the full card number is never shown


def test_a_wrong_or_empty_pin_gets_one_plain_message(client, demo_library):
    for pin in ("9999", ""):
        page = unescape(web_sign_in(client, pin=pin).content.decode())
        assert "Card number or PIN not recognised." in page or "This field is required." in page
    with pytest.raises(SignInFailed):
        authenticate_patron(AVERY, "")
    assert "Card number or PIN not recognised." in unescape(
        web_sign_in(client, card="29000000009999").content.decode()
    )


def test_web_and_api_share_one_lockout_channel(demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(3):
            web_sign_in(Client(REMOTE_ADDR="192.0.2.1"), pin="0000")
        for _ in range(2):
            assert api_sign_in(Client(REMOTE_ADDR="192.0.2.2"), pin="0000").status_code == 401
        locked = api_sign_in(Client(REMOTE_ADDR="192.0.2.3"))
        assert locked.status_code == 429
        assert 0 < int(locked["Retry-After"]) <= 15 * 60
        assert locked.json()["decision"]["code"] == "sign_in_locked"
        assert web_sign_in(Client(REMOTE_ADDR="192.0.2.4")).status_code == 429
        # the kiosk channel and other cards are unaffected
        assert authenticate_patron(AVERY, PINS[AVERY], channel=lockout.KIOSK).card_number == AVERY
        assert api_sign_in(Client(), card=BEATRICE, pin=PINS[BEATRICE]).status_code == 201
        clock.advance(timedelta(minutes=15, seconds=1))
        assert api_sign_in(Client()).status_code == 201


def test_the_lock_names_no_card_and_is_kept_by_patron_id(demo_library):
    from libdesk.core.models import SignInLock

    with clock.travel_to(clock.now()):
        for _ in range(5):
            with pytest.raises(SignInFailed):
                authenticate_patron(AVERY, "0000")
        with pytest.raises(Refused):
            authenticate_patron(AVERY, PINS[AVERY])
    subject = SignInLock.objects.get().subject
    assert subject == f"patron:{Patron.objects.get(card_number=AVERY).pk}"


def test_a_patron_session_ends_after_fifteen_idle_minutes(client, demo_library):
    with clock.travel_to(clock.now()):
        web_sign_in(client)
        clock.advance(timedelta(minutes=14))
        assert client.get("/account/").status_code == 200
        clock.advance(timedelta(minutes=15, seconds=1))
        assert client.get("/account/")["Location"] == "/account/sign-in/"


def test_signing_out_clears_the_session(client, demo_library):
    web_sign_in(client)
    client.post("/account/sign-out/")
    assert client.get("/account/").status_code == 302


def test_a_patron_changes_contact_and_language(client, demo_library):
    web_sign_in(client)
    response = client.post(
        "/account/",
        {
            "form": "contact",
            "email": "",
            "phone": "807-555-0199",
            "postal_address": "",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    assert response.cookies["libdesk_language"].value == "fr"
    avery = Patron.objects.get(card_number=AVERY)
    assert (avery.email, avery.phone, avery.language) == ("", "807-555-0199", "fr")
    assert "Bonjour, Avery Lindqvist" in client.get("/account/").content.decode()


def test_a_patron_cannot_remove_every_way_to_reach_them(client, demo_library):
    web_sign_in(client)
    page = client.post(
        "/account/",
        {"form": "contact", "email": "", "phone": "", "postal_address": "", "language": "en"},
    )
    assert "one way to reach the patron is needed" in page.content.decode()
    assert Patron.objects.get(card_number=AVERY).email == "avery@example.org"


def test_a_patron_changes_their_pin(client, demo_library):
    web_sign_in(client)
    wrong = client.post("/account/", {"form": "pin", "current_pin": "0000", "new_pin": "5678"})
    assert "the current PIN is not right" in wrong.content.decode()
    client.post("/account/", {"form": "pin", "current_pin": PINS[AVERY], "new_pin": "5678"})
    client.post("/account/sign-out/")
    assert web_sign_in(client, pin="5678").status_code == 302


def test_the_patron_sees_when_staff_looked_at_their_record(client, staff_client, demo_library):
    clerk = staff_client("clerk")
    clerk.get(clerk.post("/staff/desk/card/", {"card": AVERY})["Location"])
    web_sign_in(client)
    page = client.get("/account/").content.decode()
    log = page.split("Who looked at your record")[1]
    assert "Circulation clerk" in log and "Main" in log
    assert "your name, card and contact details" in log
    assert "Chris" not in log  # the role and branch, not the person
