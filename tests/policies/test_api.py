"""Policy reads through the JSON API, open to anonymous callers."""

from datetime import date

import pytest

from libdesk.core import clock

pytestmark = pytest.mark.django_db


def test_list_of_policies(client, demo_library):
    response = client.get("/api/v1/policies")
    assert response.status_code == 200
    assert response.json() == [
        {
            "number": "OP-02-01-01",
            "version": 1,
            "title": "Customer Service",
            "section": "Operating",
            "status": "in_force",
            "adopted_on": "2019-11-27",
            "next_review": "2023-11-27",
        }
    ]


def test_one_policy_with_clauses_in_the_callers_language(client, demo_library):
    english = client.get("/api/v1/policies/OP-02-01-01").json()
    assert english["motion"] == "063-2019" and english["supersedes"] == "014-2015"
    assert english["official_text"] is True
    assert len(english["clauses"]) == 12
    clause = english["clauses"][2]
    assert clause["id"] == "OP-02-01-01/equal-respect"
    assert clause["ask_why_url"] == "/ask-why/?clause=OP-02-01-01%2Fequal-respect"
    french = client.get("/api/v1/policies/OP-02-01-01", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["title"] == "Service à la clientèle"
    assert french["language"] == "fr" and french["official_text"] is False
    assert french["clauses"][2]["title"] == "Chaque demande a la même importance"


def test_unknown_policy_is_404_json(client, demo_library):
    response = client.get("/api/v1/policies/NOPE")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_reviews_due(client, demo_library):
    with clock.travel_to(date(2026, 11, 28)):
        due = client.get("/api/v1/policies/due").json()
    assert due[0]["number"] == "OP-02-01-01" and due[0]["days_overdue"] == 1097


def test_malformed_query_is_422_with_the_field(client, demo_library):
    response = client.get("/api/v1/policies/due?within=soon")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "within"]


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "libdesk API"
    assert {"/api/v1/policies", "/api/v1/policies/{number}", "/api/v1/branches"} <= set(
        spec["paths"]
    )
