"""Terminal accounts in the staff client (issue 14): administrators list, add and change the
SIP2 logins of self-check machines and set their passwords; everyone else is turned away as
on the other administrators' pages. Bad input is shown beside its field."""

import re
from html import unescape

import pytest
from django.test import Client

from libdesk.audit.models import AuditEntry
from libdesk.sip2 import services
from libdesk.sip2.models import DEFAULT_MESSAGES, DEFAULT_PATRON_FIELDS, Terminal

pytestmark = pytest.mark.django_db

NEW = {
    "login": "main-door",
    "password": "a-long-kiosk-secret",
    "name": "Main, by the door",
    "institution": "KPL",
    "branch": "MAIN",
    "encoding": "cp850",
    "messages": ["23", "63", "11", "09"],
    "patron_fields": ["name", "validity"],
    "error_detection": "on",
    "enabled": "on",
}


@pytest.fixture
def admin(staff_client):
    return staff_client("admin")


def _page(response) -> str:
    return unescape(response.content.decode())


def _input(page: str, name: str, value: str = "") -> str:
    """The <input> tag of a field (of one choice, with `value`)."""
    wanted = f'name="{name}"' + (f' value="{value}"' if value else "")
    (tag,) = [t for t in re.findall(r"<input [^>]*>", page) if wanted in t]
    return tag


def _error_beside(page: str, field: str) -> str:
    marker = f'id="id_{field}_error">'
    assert marker in page, f"no error beside {field}"
    return page.split(marker, 1)[1].split("</span>", 1)[0]


def test_only_administrators_reach_the_terminal_pages(staff_client, admin):
    for url in ("/staff/terminals/", "/staff/terminals/new/"):
        assert admin.get(url).status_code == 200
        assert staff_client("clerk").get(url).status_code == 403
        assert staff_client("privacy").get(url).status_code == 403
        assert "/sign-in/" in Client().get(url)["Location"]


def test_the_staff_menu_links_the_page_for_administrators_only(staff_client, admin):
    assert 'href="/staff/terminals/"' in admin.get("/staff/").content.decode()
    assert 'href="/staff/terminals/"' not in staff_client("clerk").get("/staff/").content.decode()


def test_the_new_terminal_form_offers_the_safe_defaults(admin):
    page = _page(admin.get("/staff/terminals/new/"))
    for code in DEFAULT_MESSAGES:
        assert " checked" in _input(page, "messages", code)
    assert " checked" not in _input(page, "messages", "25")  # offered, not ticked
    for field in DEFAULT_PATRON_FIELDS:
        assert " checked" in _input(page, "patron_fields", field)
    for field in ("items", "email", "phone", "address"):
        assert " checked" not in _input(page, "patron_fields", field)
    assert " checked" in _input(page, "error_detection")
    assert " checked" not in _input(page, "pin_not_required")  # off by default
    assert " checked" not in _input(page, "pin_every_time")
    assert "Warning: anyone holding a card could then borrow on it" in page
    assert '<option value="cp850">' in page and '<option value="utf-8" selected>' in page


def test_an_administrator_adds_a_terminal(admin):
    response = admin.post("/staff/terminals/new/", NEW)
    assert response.status_code == 302 and response["Location"] == "/staff/terminals/"
    terminal = Terminal.objects.get(login="main-door")
    assert (terminal.institution, terminal.branch.code, terminal.encoding) == (
        "KPL",
        "MAIN",
        "cp850",
    )
    assert terminal.messages == sorted(NEW["messages"])
    assert terminal.patron_fields == ["name", "validity"]
    assert terminal.error_detection and terminal.enabled
    assert not terminal.pin_every_time and not terminal.pin_not_required
    assert "a-long-kiosk-secret" not in terminal.password_hash
    assert services.log_in("main-door", "a-long-kiosk-secret").pk == terminal.pk
    entry = AuditEntry.objects.filter(action="sip2.terminal.create").last()
    assert (entry.object_type, entry.object_id) == ("terminal", str(terminal.pk))
    assert entry.actor_role == "administrator" and entry.reason == ""
    listing = _page(admin.get("/staff/terminals/"))
    for shown in ("main-door", "Main, by the door", "KPL", "Code page 850", "once per session"):
        assert shown in listing


def test_bad_input_is_shown_beside_its_field(admin):
    cases = [
        ({"login": "no spaces please"}, "login", "a login is 1 to 40 letters"),
        ({"password": "short"}, "password", "a terminal password is 8 to 128 characters"),
        ({"institution": "K|PL"}, "institution", "an institution id is 1 to 40"),
        ({"institution": ""}, "institution", "This field is required."),
        ({"branch": "NOPE"}, "branch", "Select a valid choice."),
        ({"messages": ["11", "42"]}, "messages", "Select a valid choice. 42"),
        ({"encoding": "latin-1"}, "encoding", "Select a valid choice."),
    ]
    for change, field, words in cases:
        response = admin.post("/staff/terminals/new/", {**NEW, **change})
        assert response.status_code == 422, change
        assert words in _error_beside(_page(response), field), change
    assert not Terminal.objects.filter(login="main-door").exists()


def test_a_login_already_taken_is_refused_at_the_login(admin):
    assert admin.post("/staff/terminals/new/", NEW).status_code == 302
    again = admin.post("/staff/terminals/new/", NEW)
    assert again.status_code == 422
    assert "another terminal has this login" in _error_beside(_page(again), "login")
    assert Terminal.objects.filter(login="main-door").count() == 1


def test_an_administrator_changes_a_terminals_settings(admin):
    admin.post("/staff/terminals/new/", NEW)
    terminal = Terminal.objects.get(login="main-door")
    url = f"/staff/terminals/{terminal.pk}/"
    page = _page(admin.get(url))
    assert 'value="KPL"' in page and 'value="cp850" selected' in page
    changed = {**NEW, "branch": "KEEW", "pin_not_required": "on", "messages": ["01", "25"]}
    del changed["error_detection"], changed["enabled"]
    assert admin.post(url, changed)["Location"] == "/staff/terminals/"
    terminal.refresh_from_db()
    assert terminal.branch.code == "KEEW" and terminal.pin_not_required
    assert terminal.messages == ["01", "25"]
    assert not terminal.error_detection and not terminal.enabled
    assert AuditEntry.objects.filter(
        action="sip2.terminal.change", object_id=str(terminal.pk)
    ).exists()
    listing = _page(admin.get("/staff/terminals/"))
    assert "not required (staff-attended)" in listing and "disabled" in listing
    refused = admin.post(url, {**changed, "institution": "a/b"})
    assert refused.status_code == 422
    assert "an institution id" in _error_beside(_page(refused), "institution")


def test_a_new_password_is_set_and_checked_beside_its_field(admin):
    admin.post("/staff/terminals/new/", NEW)
    terminal = Terminal.objects.get(login="main-door")
    url = f"/staff/terminals/{terminal.pk}/password/"
    short = admin.post(url, {"password": "short"})
    assert short.status_code == 422
    assert "8 to 128 characters" in _error_beside(_page(short), "password")
    done = admin.post(url, {"password": "another-kiosk-secret"})
    assert done["Location"] == f"/staff/terminals/{terminal.pk}/"
    assert services.log_in("main-door", "another-kiosk-secret").pk == terminal.pk
    with pytest.raises(services.TerminalLoginFailed):
        services.log_in("main-door", "a-long-kiosk-secret")
    assert AuditEntry.objects.filter(
        action="sip2.terminal.password", object_id=str(terminal.pk)
    ).exists()
    assert admin.get(url).status_code == 405  # a change is a POST


def test_a_terminal_that_does_not_exist_is_not_found(staff_client, admin):
    assert admin.get("/staff/terminals/999999/").status_code == 404
    missing = admin.post("/staff/terminals/999999/password/", {"password": "x" * 10})
    assert missing.status_code == 404
    assert staff_client("clerk").get("/staff/terminals/999999/").status_code == 403
