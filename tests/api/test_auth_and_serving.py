"""API sign-in and the first patron endpoints, through HTTP."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from libdesk.api.models import ApiToken
from libdesk.core import clock
from tests.conftest import AVERY, BEATRICE, PINS, bearer

pytestmark = pytest.mark.django_db


def test_a_patron_signs_in_and_reads_only_their_own_profile(client, patron_token):
    token = patron_token(AVERY)
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    assert response.json() == {
        "patron_card": AVERY,
        "name": "Avery Lindqvist",
        "email": "avery@example.org",
        "phone": "",
        "language": "en",
        "card_expires": "2030-12-31",
    }
    assert client.get("/api/v1/me", **bearer(patron_token(BEATRICE))).json()["language"] == "fr"


def test_sign_in_answers_201_with_an_expiry_and_401_for_a_wrong_or_empty_pin(client, demo_library):
    for pin in ("0000", ""):
        response = client.post(
            "/api/v1/auth/patron",
            {"patron_card": AVERY, "pin": pin},
            content_type="application/json",
        )
        assert response.status_code == 401
    response = client.post(
        "/api/v1/auth/patron",
        {"patron_card": AVERY, "pin": PINS[AVERY]},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["expires_at"]


def test_malformed_sign_in_is_422(client, demo_library):
    response = client.post(
        "/api/v1/auth/patron", {"patron_card": AVERY}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body", "pin"]


def test_tokens_are_stored_hashed(patron_token):
    token = patron_token(AVERY)
    secret = token.split("_", 2)[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        dump = repr(cursor.fetchall())
    assert secret not in dump and token not in dump


def test_revoking_the_token_ends_it(client, patron_token):
    token = patron_token(AVERY)
    assert client.delete("/api/v1/auth/token", **bearer(token)).status_code == 200
    assert client.get("/api/v1/me", **bearer(token)).status_code == 401


def test_patron_tokens_expire(client, patron_token):
    with clock.travel_to(clock.now()):
        token = patron_token(AVERY)
        clock.advance(timedelta(minutes=61))
        assert client.get("/api/v1/me", **bearer(token)).status_code == 401


def test_no_credentials_or_a_forged_token_is_401(client, demo_library):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", **bearer("ldk_0000_forged")).status_code == 401


def test_a_patron_token_cannot_act_as_staff(client, patron_token):
    token = patron_token(AVERY)
    assert client.get("/api/v1/patron", **bearer(token)).status_code == 401
    response = client.post(
        "/api/v1/serving",
        {"patron_card": BEATRICE, "basis": "card_presented"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 401


def open_context(client, token, card=AVERY, basis="card_presented", **extra):
    return client.post(
        "/api/v1/serving",
        {"patron_card": card, "basis": basis, **extra},
        content_type="application/json",
        **bearer(token),
    )


def test_a_staff_client_reads_an_account_only_inside_a_serving_context(client, staff_token):
    token = staff_token("clerk")
    missing = client.get("/api/v1/patron", **bearer(token))
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["header", "X-Serving-Context"]
    assert (
        client.get("/api/v1/patron", HTTP_X_SERVING_CONTEXT="nope", **bearer(token)).status_code
        == 404
    )
    opened = open_context(client, token)
    assert opened.status_code == 201
    context_id = opened.json()["id"]
    profile = client.get("/api/v1/patron", HTTP_X_SERVING_CONTEXT=context_id, **bearer(token))
    assert profile.status_code == 200 and profile.json()["name"] == "Avery Lindqvist"
    assert client.delete(f"/api/v1/serving/{context_id}", **bearer(token)).status_code == 200
    again = client.get("/api/v1/patron", HTTP_X_SERVING_CONTEXT=context_id, **bearer(token))
    assert again.status_code == 404


def test_a_context_belongs_to_the_staff_member_who_opened_it(client, staff_token):
    context_id = open_context(client, staff_token("clerk")).json()["id"]
    other = staff_token("librarian")
    assert (
        client.get("/api/v1/patron", HTTP_X_SERVING_CONTEXT=context_id, **bearer(other)).status_code
        == 404
    )


def test_serving_errors(client, staff_token):
    token = staff_token("clerk")
    assert open_context(client, token, card="29000000009999").status_code == 404
    assert open_context(client, token, basis="because").status_code == 422
    assert open_context(client, token, card="", basis="card_presented").status_code == 422
    assert open_context(client, staff_token("admin")).status_code == 403


def test_staff_tokens_from_the_command_line(staff_token, client, demo_library):
    out = StringIO()
    call_command("tokens", "create", "clerk", "--workstation", "KEEW-DESK-1", stdout=out)
    lines = out.getvalue().splitlines()
    token_id = lines[0].removeprefix("token id: ")
    bearer_token = lines[2].rsplit(" ", 1)[1]
    assert open_context(client, bearer_token).status_code == 201
    listing = StringIO()
    call_command("tokens", "list", "clerk", stdout=listing)
    assert token_id in listing.getvalue() and "KEEW-DESK-1" in listing.getvalue()
    assert bearer_token.split("_", 2)[2] not in listing.getvalue()
    call_command("tokens", "revoke", token_id, stdout=StringIO())
    assert open_context(client, bearer_token).status_code == 401
    assert ApiToken.objects.get(public_id=token_id).revoked_at is not None
    with pytest.raises(CommandError, match="no active workstation"):
        call_command("tokens", "create", "clerk", "--workstation", "NOPE", stdout=StringIO())


def test_the_patrons_access_log_over_the_api(client, staff_token, patron_token):
    token = staff_token("clerk")
    context_id = open_context(client, token).json()["id"]
    client.get("/api/v1/patron", HTTP_X_SERVING_CONTEXT=context_id, **bearer(token))
    log = client.get("/api/v1/me/access-log", **bearer(patron_token(AVERY))).json()
    assert [(e["role"], e["branch"], e["data_kind"]) for e in log] == [
        ("clerk", "MAIN", "profile"),
        ("clerk", "MAIN", "account opened at the desk"),
    ]


def test_a_context_stays_at_the_workstation_it_was_opened_at(client, staff_token):
    context_id = open_context(client, staff_token("clerk")).json()["id"]
    elsewhere = staff_token("clerk", workstation="KEEW-DESK-1")
    answer = client.get("/api/v1/patron", HTTP_X_SERVING_CONTEXT=context_id, **bearer(elsewhere))
    assert answer.status_code == 404


def test_opening_an_account_shows_in_the_patrons_access_log(client, staff_token, patron_token):
    """Even if nothing else is read (a checkout that answers "already on your card" reads the
    loans), the patron sees that staff opened the account."""
    open_context(client, staff_token("clerk"))
    log = client.get("/api/v1/me/access-log", **bearer(patron_token(AVERY))).json()
    assert [(e["role"], e["data_kind"]) for e in log] == [("clerk", "account opened at the desk")]


def test_a_body_that_is_not_json_or_too_large_answers_in_json(client, demo_library):
    for body, status in (("\x00", 400), ("{", 400), ("[" * 5000, 400)):
        answer = client.post("/api/v1/auth/patron", body, content_type="application/json")
        assert answer.status_code == status and answer.json()["detail"]
    huge = client.post(
        "/api/v1/auth/patron", '"' + "x" * 3_000_000 + '"', content_type="application/json"
    )
    assert huge.status_code == 413 and "larger" in huge.json()["detail"]
    described = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/auth/patron"]
    assert {"400", "413", "415", "422"} <= set(described["post"]["responses"])
