"""One sign-in path for staff, whatever the URL: lockout over a window, unknown users answering
like known ones, the admin site sending people to the staff sign-in, and the second factor."""

import itertools
import re
from datetime import timedelta
from html import unescape

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import get_hasher
from django.test import Client

from libdesk.accounts.models import RecoveryCode, SecondFactor, StaffUser
from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.demo.loader import DEMO_TOTP_SECRET
from tests.conftest import DEMO_PASSWORD, demo_code

pytestmark = pytest.mark.django_db


ADDRESSES = (f"198.51.100.{n % 250}" for n in itertools.count())


def post_sign_in(client, username="clerk", password=DEMO_PASSWORD, workstation="MAIN-DESK-1"):
    """From a new address each time: the per-address form limit is not what is tested here."""
    return client.post(
        "/staff/sign-in/",
        {"username": username, "password": password, "workstation": workstation},
        REMOTE_ADDR=next(ADDRESSES),
    )


def fail(times: int, username: str = "clerk") -> None:
    for _ in range(times):
        post_sign_in(Client(), username=username, password="wrong-password")


def test_failures_count_within_a_window_and_the_lock_lasts_its_time(demo_library):
    with clock.travel_to(clock.now()):
        fail(4)
        clock.advance(timedelta(minutes=16))  # the window from the first failure has passed
        fail(4)
        assert post_sign_in(Client()).status_code == 302  # 4 + 4, never 5 in one window
        fail(5)
        locked = post_sign_in(Client())
        assert locked.status_code == 429
        assert 0 < int(locked["Retry-After"]) <= 15 * 60
        clock.advance(timedelta(minutes=15, seconds=1))
        assert post_sign_in(Client()).status_code == 302


@pytest.mark.parametrize("password", ["wrong-password", DEMO_PASSWORD])
def test_an_unknown_user_answers_exactly_like_a_known_one(demo_library, password):
    """Same status, same words, same lock after five failures, and the same work: one password
    hash for every attempt (so the time tells nothing either). An empty password is a form
    error for everyone, before any work."""
    hasher = get_hasher()
    calls = []
    original = type(hasher).verify, type(hasher).encode

    def count(name, real):
        def counted(self, *args, **kwargs):
            calls.append(name)
            return real(self, *args, **kwargs)

        return counted

    answers = {}
    type(hasher).verify, type(hasher).encode = (
        count("verify", original[0]),
        count("encode", original[1]),
    )
    try:
        for username in ("nobody-here", "clerk"):
            with clock.travel_to(clock.now()):
                attempt = password if username == "nobody-here" else "wrong-password"
                statuses = []
                for _ in range(6):
                    calls.clear()
                    response = post_sign_in(Client(), username=username, password=attempt)
                    statuses.append((response.status_code, len(calls)))
                answers[username] = statuses
    finally:
        type(hasher).verify, type(hasher).encode = original
    assert answers["nobody-here"] == answers["clerk"]
    assert [status for status, _ in answers["clerk"]] == [200] * 5 + [429]
    assert {hashes for _, hashes in answers["clerk"]} == {1}
    empty = [post_sign_in(Client(), username=u, password="") for u in ("nobody-here", "clerk")]
    assert [r.status_code for r in empty] == [200, 200]
    assert unescape(empty[0].content.decode()).count("This field is required.") == 1


def test_a_locked_clerk_is_refused_by_every_path_even_with_the_right_password(demo_library):
    with clock.travel_to(clock.now()):
        fail(5)
        assert post_sign_in(Client()).status_code == 429
        assert authenticate(username="clerk", password=DEMO_PASSWORD) is None
        assert Client().login(username="clerk", password=DEMO_PASSWORD) is False


def test_the_admin_site_signs_in_only_through_the_staff_sign_in(demo_library):
    """A locked administrator cannot slip in through /admin/: the admin site has no sign-in
    form of its own, and a password alone never signs in a role that needs a second factor."""
    visitor = Client()
    response = visitor.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/?next=")
    posted = visitor.post("/admin/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/staff/sign-in/")
    assert visitor.get("/admin/").status_code == 302  # still not signed in
    assert authenticate(username="admin", password=DEMO_PASSWORD) is None
    with clock.travel_to(clock.now()):
        fail(5, username="admin")
        assert post_sign_in(Client(), username="admin").status_code == 429
        assert (
            visitor.post(
                "/admin/login/", {"username": "admin", "password": DEMO_PASSWORD}
            ).status_code
            == 302
        )
        assert visitor.get("/admin/").status_code == 302


def test_an_administrator_reaches_the_admin_site_after_both_steps(staff_client):
    admin = staff_client("admin")
    assert admin.get("/admin/").status_code == 200
    # and changes their password on the one password page, not the admin's own
    moved = admin.get("/admin/password_change/")
    assert moved.status_code == 302 and moved["Location"] == "/staff/password/"


def test_an_administrator_lifts_a_staff_lock(staff_client, demo_library):
    with clock.travel_to(clock.now()):
        fail(5)
        admin = staff_client("admin")
        page = unescape(admin.get("/staff/people/").content.decode())
        assert "Sign-in paused after wrong passwords." in page
        clerk = StaffUser.objects.get(username="clerk")
        admin.post(f"/staff/people/{clerk.pk}/", {"action": "unlock"})
        assert post_sign_in(Client()).status_code == 302
    assert AuditEntry.objects.filter(action="staff.sign_in.unlock", object_id=clerk.pk).exists()


def test_a_privacy_officer_without_an_authenticator_sets_one_up_before_getting_in(
    demo_library,
):
    SecondFactor.objects.filter(staff__username="privacy").delete()
    browser = Client()
    response = post_sign_in(browser, username="privacy")
    assert response["Location"] == "/staff/second-factor/"
    assert browser.get("/staff/audit/").status_code == 302  # not signed in yet
    browser.post("/staff/second-factor/", {"action": "start"})
    page = browser.get("/staff/second-factor/").content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, as the CSP allows
    secret = SecondFactor.objects.get(staff__username="privacy").secret
    assert secret in page
    wrong = browser.post("/staff/second-factor/", {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 422 and "does not match" in unescape(wrong.content.decode())
    done = browser.post(
        "/staff/second-factor/",
        {"action": "confirm", "code": pyotp.TOTP(secret).at(clock.now())},
    )
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.content.decode())
    assert len(set(codes)) == 10
    assert browser.get("/staff/audit/").status_code == 200  # signed in now
    stored = list(RecoveryCode.objects.filter(staff__username="privacy").values_list("code_hash"))
    assert len(stored) == 10 and not {c for (c,) in stored} & set(codes)  # only hashes kept


def test_a_code_is_needed_good_once_and_wrong_codes_count_towards_the_lock(demo_library):
    with clock.travel_to(clock.now()):
        browser = Client()
        assert post_sign_in(browser, username="admin")["Location"] == "/staff/sign-in/code/"
        code = demo_code("admin")
        assert browser.post("/staff/sign-in/code/", {"code": code}).status_code == 302
        replay = Client()
        post_sign_in(replay, username="admin")
        refused = replay.post("/staff/sign-in/code/", {"code": code})
        assert refused.status_code == 200 and "does not match" in unescape(refused.content.decode())
        for _ in range(4):
            replay.post("/staff/sign-in/code/", {"code": "123456"})
        assert replay.post("/staff/sign-in/code/", {"code": demo_code("admin")}).status_code == 429


def test_a_recovery_code_signs_in_once(demo_library):
    from libdesk.accounts import second_factor

    admin = StaffUser.objects.get(username="admin")
    codes = second_factor.new_recovery_codes(admin, None)
    browser = Client()
    post_sign_in(browser, username="admin")
    assert browser.post("/staff/sign-in/code/", {"code": codes[0].lower()}).status_code == 302
    again = Client()
    post_sign_in(again, username="admin")
    assert again.post("/staff/sign-in/code/", {"code": codes[0]}).status_code == 200


def test_a_held_sign_in_expires_after_five_minutes(demo_library):
    with clock.travel_to(clock.now()):
        browser = Client()
        post_sign_in(browser, username="admin")
        clock.advance(timedelta(minutes=6))
        assert browser.post("/staff/sign-in/code/", {"code": demo_code("admin")}).status_code == 302
        assert browser.get("/staff/people/").status_code == 302  # sent back to sign in


def test_any_member_of_staff_may_turn_a_second_factor_on_and_off(staff_client):
    clerk = staff_client("clerk")
    clerk.post("/staff/second-factor/", {"action": "start"})
    secret = SecondFactor.objects.get(staff__username="clerk").secret
    with clock.travel_to(clock.now()):
        clerk.post(
            "/staff/second-factor/",
            {"action": "confirm", "code": pyotp.TOTP(secret).at(clock.now())},
        )
        browser = Client()
        assert post_sign_in(browser)["Location"] == "/staff/sign-in/code/"
        clock.advance(timedelta(seconds=30))
        clerk.post(
            "/staff/second-factor/",
            {"action": "remove", "code": pyotp.TOTP(secret).at(clock.now())},
        )
    assert post_sign_in(Client())["Location"] == "/staff/"
    admin_page = staff_client("admin").get("/staff/second-factor/").content.decode()
    assert "Remove the authenticator" not in admin_page  # the role keeps its second factor


def test_the_demo_code_command_prints_the_demo_authenticators_code(demo_library):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with clock.travel_to(clock.now()):
        call_command("demo", "code", "admin", stdout=out)
        assert out.getvalue().strip() == pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())


def test_the_second_factor_pages_speak_french(demo_library):
    browser = Client(HTTP_ACCEPT_LANGUAGE="fr")
    post_sign_in(browser, username="admin")
    page = unescape(browser.get("/staff/sign-in/code/").content.decode())
    assert "Connexion du personnel : code" in page
    assert "code de secours" in page


def test_new_recovery_codes_and_removal_need_a_current_code_and_wrong_ones_count(staff_client):
    """A session left open is not enough to get around the second factor for good."""
    with clock.travel_to(clock.now()):
        clerk = staff_client("clerk")
        clerk.post("/staff/second-factor/", {"action": "start"})
        secret = SecondFactor.objects.get(staff__username="clerk").secret
        clerk.post(
            "/staff/second-factor/",
            {"action": "confirm", "code": pyotp.TOTP(secret).at(clock.now())},
        )
        before = set(RecoveryCode.objects.values_list("code_hash", flat=True))
        refused = [
            clerk.post("/staff/second-factor/", {"action": action, "code": "000000"})
            for action in ("codes", "codes", "remove", "remove", "codes", "remove")
        ]
        assert [r.status_code for r in refused] == [422] * 5 + [429]
        assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) == before
        assert SecondFactor.objects.filter(staff__username="clerk").exists()


def test_a_name_differing_only_in_case_answers_like_any_other_unknown_name(demo_library):
    """Accounts are found by the exact name, so an unknown name is counted exactly as typed:
    "CLERK" locked says nothing about "clerk", whether or not "clerk" exists."""
    with clock.travel_to(clock.now()):
        for upper, lower in (("CLERK", "clerk"), ("NOSUCH", "nosuch")):
            fail(5, username=upper)
            answer = post_sign_in(Client(), username=lower, password="wrong-password")
            assert answer.status_code == 200, (upper, lower)
