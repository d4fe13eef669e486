"""What should end a person's sessions and tokens ends them all, and the session that made the
change goes on under a new key: a lost card, a PIN reset or change, a staff password change or
reset, disabling or enabling staff again, and a role change."""

from html import unescape

import pytest
from django.test import Client

from libdesk.accounts.models import StaffUser
from libdesk.patrons.models import Patron
from tests.conftest import AVERY, BEATRICE, DEMO_PASSWORD, PINS, bearer

pytestmark = pytest.mark.django_db


def patron_browser(card=AVERY, pin=None) -> Client:
    browser = Client()
    response = browser.post("/account/sign-in/", {"card": card, "pin": pin or PINS[card]})
    assert response.status_code == 302
    return browser


def signed_in(browser: Client) -> bool:
    return browser.get("/account/").status_code == 200


def api_works(token: str) -> bool:
    return Client().get("/api/v1/me", **bearer(token)).status_code == 200


def serving_page(desk: Client, card: str = AVERY) -> str:
    return desk.post("/staff/desk/card/", {"card": card})["Location"]


def test_reporting_a_card_lost_ends_every_session_and_token(staff_client, patron_token):
    browser, token = patron_browser(), patron_token(AVERY)
    desk = staff_client("clerk")
    serving = serving_page(desk)
    desk.post(serving + "lost/", {"confirm": "1"})
    assert not signed_in(browser) and not api_works(token)
    desk.post(serving + "replace/", {"card_number": "29000000000099"})
    assert Patron.objects.filter(card_number="29000000000099").exists()
    assert not signed_in(browser) and not api_works(token)  # a new card brings none back


def test_a_pin_reset_at_the_desk_ends_every_session_and_token(staff_client, patron_token):
    browser, token = patron_browser(), patron_token(AVERY)
    desk = staff_client("clerk")
    desk.post(serving_page(desk) + "pin/", {"pin": "8642"})
    assert not signed_in(browser) and not api_works(token)
    assert signed_in(patron_browser(pin="8642"))


def test_changing_ones_own_pin_ends_the_others_and_keeps_this_session_under_a_new_key(
    patron_token,
):
    this, other, token = patron_browser(), patron_browser(), patron_token(AVERY)
    old_key = this.cookies["sessionid"].value
    response = this.post(
        "/account/", {"form": "pin", "current_pin": PINS[AVERY], "new_pin": "9753"}
    )
    assert response.status_code == 302
    assert signed_in(this) and this.cookies["sessionid"].value != old_key
    assert not signed_in(other) and not api_works(token)


def staff_browser(staff_client, username="clerk") -> Client:
    return staff_client(username)


def staff_signed_in(browser: Client) -> bool:
    return browser.get("/staff/").status_code == 200


def test_changing_ones_own_password_ends_the_others_and_keeps_this_session(
    staff_client, staff_token
):
    this, other, token = staff_client("clerk"), staff_client("clerk"), staff_token("clerk")
    old_key = this.cookies["sessionid"].value
    response = this.post(
        "/staff/password/",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": "a-new-long-passphrase-7",
            "repeat_password": "a-new-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert staff_signed_in(this) and this.cookies["sessionid"].value != old_key
    assert not staff_signed_in(other)
    assert Client().get("/api/v1/patron", **bearer(token)).status_code == 401


def test_a_wrong_current_password_counts_towards_the_lock(staff_client):
    this = staff_client("clerk")
    pages = [
        this.post(
            "/staff/password/",
            {
                "current_password": "not-it",
                "new_password": "a-new-long-passphrase-7",
                "repeat_password": "a-new-long-passphrase-7",
            },
        )
        for _ in range(6)
    ]
    assert [p.status_code for p in pages] == [422] * 5 + [429]


@pytest.mark.parametrize(
    "action,data",
    [
        ("reset-password", {"password": "temporary-passphrase-1"}),
        ("role", {"role": "librarian"}),
        ("disable", {}),
    ],
)
def test_an_administrators_change_ends_the_persons_sessions_and_tokens(
    staff_client, staff_token, action, data
):
    browser, token = staff_client("clerk"), staff_token("clerk")
    clerk = StaffUser.objects.get(username="clerk")
    staff_client("admin").post(f"/staff/people/{clerk.pk}/", {"action": action, **data})
    assert not staff_signed_in(browser)
    assert Client().get("/api/v1/patron", **bearer(token)).status_code == 401


def test_enabling_again_does_not_bring_an_old_session_back(staff_client, staff_token):
    browser, token = staff_client("clerk"), staff_token("clerk")
    clerk = StaffUser.objects.get(username="clerk")
    admin = staff_client("admin")
    admin.post(f"/staff/people/{clerk.pk}/", {"action": "disable"})
    admin.post(f"/staff/people/{clerk.pk}/", {"action": "enable"})
    assert not staff_signed_in(browser)
    assert Client().get("/api/v1/patron", **bearer(token)).status_code == 401
    assert staff_signed_in(staff_client("clerk"))  # signing in again works


def test_an_administrator_changing_their_own_role_keeps_this_session(staff_client):
    admin = staff_client("admin")
    me = StaffUser.objects.get(username="admin")
    admin.post(f"/staff/people/{me.pk}/", {"action": "role", "role": "administrator"})
    assert admin.get("/staff/people/").status_code == 200


def test_rotating_the_secret_key_signs_nobody_out_and_still_knows_retired_cards(
    staff_client, settings
):
    browser, patron = staff_client("clerk"), patron_browser()
    desk = staff_client("clerk")
    desk.post(serving_page(desk, BEATRICE) + "replace/", {"card_number": "29000000000099"})
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    assert staff_signed_in(browser) and signed_in(patron)
    old_card = desk.post("/staff/desk/card/", {"card": BEATRICE})
    assert old_card.status_code == 409  # recognised as replaced, not "no such card"
    assert "has been replaced" in unescape(old_card.content.decode())


def test_a_staff_sign_in_ends_the_patron_session_on_that_browser_and_the_reverse(
    demo_library,
):
    browser = patron_browser()
    assert signed_in(browser)
    browser.post(
        "/staff/sign-in/",
        {"username": "clerk", "password": DEMO_PASSWORD, "workstation": "MAIN-DESK-1"},
    )
    assert staff_signed_in(browser) and not signed_in(browser)
    browser.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    assert signed_in(browser) and not staff_signed_in(browser)
