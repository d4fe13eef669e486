"""The programs' API: the calendar, registering (anonymous or with a patron token) with the
answer the issue fixes, and cancelling with the patron's token or the secret cancel token in
the X-Cancel-Token header."""

import pytest

from libdesk.programs.models import Registration
from tests.conftest import AVERY, BEATRICE, bearer

pytestmark = pytest.mark.django_db


def _register(client, event, body=None, **headers):
    return client.post(
        f"/api/v1/events/{event.pk}/registrations",
        body if body is not None else {"name": "Kim Lee", "contact": "kim@example.org"},
        content_type="application/json",
        **headers,
    )


def test_the_calendar_filters_by_branch_audience_and_dates(client, make_event):
    event = make_event(branch="KEEW", audience="seniors", title_en="Tea and tablets")
    rows = client.get("/api/v1/events", {"branch": "KEEW", "audience": "seniors"}).json()
    assert event.pk in {row["id"] for row in rows}
    assert {row["branch"] for row in rows} == {"KEEW"}
    row = next(r for r in rows if r["id"] == event.pk)
    assert row["places_left"] == 2 and row["ics"].endswith(f"/events/{event.pk}.ics")
    window = {"from": "2199-01-01T00:00:00Z", "to": "2199-02-01T00:00:00Z"}
    assert client.get("/api/v1/events", window).json() == []
    bad = client.get(
        "/api/v1/events", {"from": "2199-01-02T00:00:00Z", "to": "2199-01-01T00:00:00Z"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "to"]


def test_registering_answers_201_with_status_position_and_the_cancel_token(client, make_event):
    event = make_event(capacity=1)
    first = _register(client, event)
    assert first.status_code == 201
    assert first.json()["status"] == "registered" and first.json()["position"] is None
    second = _register(client, event, {"name": "Lou", "contact": "807-555-0123"})
    body = second.json()
    assert set(body) == {"id", "status", "position", "cancel_token"}
    assert (body["status"], body["position"]) == ("waitlisted", 1)
    # the same contact again is not refused: that answer would tell anyone who goes
    again = _register(client, event, {"name": "Lou", "contact": "807 555 0123"})
    assert again.status_code == 201 and again.json()["position"] == 2


def test_a_patron_registers_with_their_token_and_cancels_with_it(client, make_event, patron_token):
    event = make_event()
    token = patron_token(AVERY)
    made = _register(client, event, {}, **bearer(token))
    assert made.status_code == 201
    registration_id = made.json()["id"]
    assert Registration.objects.get(pk=registration_id).patron.card_number == AVERY
    other = client.delete(
        f"/api/v1/registrations/{registration_id}", **bearer(patron_token(BEATRICE))
    )
    assert other.status_code == 404
    gone = client.delete(f"/api/v1/registrations/{registration_id}", **bearer(token))
    assert gone.json() == {"id": registration_id, "status": "cancelled"}


def test_a_signed_in_patron_sends_no_name_or_contact(client, make_event, patron_token):
    event = make_event()
    response = _register(client, event, **bearer(patron_token(AVERY)))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][1] == "name"


def test_the_cancel_token_goes_in_a_header_and_opens_only_its_own_registration(client, make_event):
    event = make_event(capacity=1)
    mine = _register(client, event).json()
    theirs = _register(client, event, {"name": "Lou", "contact": "lou@example.org"}).json()
    url = f"/api/v1/registrations/{theirs['id']}"
    assert client.delete(url).status_code == 401
    assert client.delete(url, HTTP_X_CANCEL_TOKEN=mine["cancel_token"]).status_code == 404
    gone = client.delete(
        f"/api/v1/registrations/{mine['id']}", HTTP_X_CANCEL_TOKEN=mine["cancel_token"]
    )
    assert gone.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=theirs["id"]).status == "registered"  # promoted


def test_past_events_are_refused_with_the_clause(client, make_event):
    from datetime import timedelta

    from libdesk.core import clock

    event = make_event(days=1)
    with clock.travel_to(event.starts_at + timedelta(hours=2)):
        response = _register(client, event)
    assert response.status_code == 409
    assert response.json()["decision"]["clauses"][0]["id"] == "OP-02-01-01/purpose"
