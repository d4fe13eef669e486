"""Staff sign-in at a workstation, lockout on a controllable clock, and the staff page."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client

from libdesk.access.table import Role
from libdesk.accounts.models import StaffUser
from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from tests.conftest import DEMO_PASSWORD, bearer

pytestmark = pytest.mark.django_db


def post_sign_in(client, password=DEMO_PASSWORD, username="clerk", workstation="MAIN-DESK-1"):
    return client.post(
        "/staff/sign-in/", {"username": username, "password": password, "workstation": workstation}
    )


def test_staff_sign_in_needs_a_workstation(client, demo_library):
    response = client.post("/staff/sign-in/", {"username": "clerk", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_signing_in_binds_the_session_to_the_workstation_and_remembers_it(client, demo_library):
    response = post_sign_in(client, workstation="KEEW-DESK-1")
    assert response.status_code == 302
    assert response.cookies["libdesk_workstation"].value == "KEEW-DESK-1"
    assert "at KEEW-DESK-1 (Keewatin)" in client.get("/staff/").content.decode()
    returning = Client()
    returning.cookies["libdesk_workstation"] = "KEEW-DESK-1"
    page = returning.get("/staff/sign-in/")
    assert '<option value="KEEW-DESK-1" selected>' in page.content.decode()
    entry = AuditEntry.objects.filter(action="staff.sign_in").get()
    assert (entry.workstation, entry.branch) == ("KEEW-DESK-1", "KEEW")


def test_a_wrong_password_is_refused_without_saying_which_part(client, demo_library):
    response = post_sign_in(client, password="guess")
    assert "Username or password not recognised." in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_five_failures_lock_the_account_for_fifteen_minutes(demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(5):
            assert post_sign_in(Client(), password="wrong").status_code == 200
        locked = post_sign_in(Client())  # even the right password waits
        assert locked.status_code == 429
        assert "paused for 15 minutes" in unescape(locked.content.decode())
        clock.advance(timedelta(minutes=15, seconds=1))
        assert post_sign_in(Client()).status_code == 302


def test_a_lock_on_one_account_leaves_others_alone(demo_library):
    with clock.travel_to(clock.now()):
        for _ in range(6):
            post_sign_in(Client(REMOTE_ADDR="192.0.2.1"), password="wrong")
        assert post_sign_in(Client(), username="head").status_code == 302


def test_staff_sign_out_ends_the_session(staff_client):
    client = staff_client("clerk")
    assert client.get("/staff/").status_code == 200
    client.post("/staff/sign-out/")
    assert client.get("/staff/").status_code == 302


def test_only_administrators_reach_the_staff_page(staff_client):
    assert staff_client("clerk").get("/staff/people/").status_code == 403
    assert staff_client("privacy").get("/staff/people/").status_code == 403
    assert staff_client("admin").get("/staff/people/").status_code == 200


def test_an_administrator_adds_and_re_roles_staff(staff_client):
    admin = staff_client("admin")
    response = admin.post(
        "/staff/people/",
        {
            "username": "newhire",
            "first_name": "Noor",
            "last_name": "Hire",
            "role": "clerk",
            "password": "a-long-temporary-pw",
        },
    )
    assert response.status_code == 302
    newhire = StaffUser.objects.get(username="newhire")
    assert newhire.role == Role.CLERK and newhire.password.startswith("argon2")
    admin.post(f"/staff/people/{newhire.pk}/", {"action": "role", "role": "librarian"})
    newhire.refresh_from_db()
    assert newhire.role == Role.LIBRARIAN
    assert list(
        AuditEntry.objects.filter(action__in=["staff.add", "staff.role"]).values_list(
            "action", "reason"
        )
    ) == [("staff.add", "clerk"), ("staff.role", "librarian")]


def test_disabling_staff_ends_their_sessions_and_tokens_at_once(staff_client, staff_token):
    clerk_browser = staff_client("clerk")
    token = staff_token("clerk")
    assert clerk_browser.get("/staff/").status_code == 200
    clerk = StaffUser.objects.get(username="clerk")
    staff_client("admin").post(f"/staff/people/{clerk.pk}/", {"action": "disable"})
    assert clerk_browser.get("/staff/").status_code == 302
    response = clerk_browser.post(
        "/api/v1/serving",
        {"patron_card": "29000000000001", "basis": "card_presented"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 401
    assert post_sign_in(Client()).status_code == 200  # cannot sign in again


def test_administrators_cannot_disable_themselves(staff_client):
    admin = staff_client("admin")
    me = StaffUser.objects.get(username="admin")
    admin.post(f"/staff/people/{me.pk}/", {"action": "disable"})
    me.refresh_from_db()
    assert me.is_active


def test_staff_create_command_bootstraps_an_administrator(db, monkeypatch):
    import io

    from django.core.management import call_command

    monkeypatch.setattr("sys.stdin", io.StringIO("a-strong-passphrase-1\n"))
    call_command("staff", "create", "boss", "--password-stdin", stdout=io.StringIO())
    boss = StaffUser.objects.get(username="boss")
    assert boss.role == Role.ADMINISTRATOR and boss.check_password("a-strong-passphrase-1")
