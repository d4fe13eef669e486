"""The parent exception at the desk: every way the desk opens a child's account for someone
else goes through the guardian checks, and a parent who brought neither the child's card nor
their own ID, or whom the exception does not cover, is refused with the clause and told why,
on the desk's pages and over the API (POST /api/v1/serving)."""

from datetime import timedelta
from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.patrons.models import Patron
from libdesk.privacy.models import ServingContext
from tests.conftest import AVERY, BEATRICE, JORDAN, SAM, bearer

pytestmark = pytest.mark.django_db

CLAUSE = "Your card is yours alone (OP-02-01-01/confidentiality-loans)"
BRING_CARD_OR_ID = (
    "A parent or guardian can be shown a child's loans, holds and fees only when they bring "
    "the child's library card or their own identification."
)
LINKED_GUARDIAN_ONLY = "A child's loans can be shown only to a parent or guardian on the child's"


def at_desk(clerk, **form):
    return clerk.post("/staff/desk/guardian/", form)


def page_of(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def assert_refused(response, reason: str, staff_reason: str) -> None:
    assert response.status_code == 409
    page = page_of(response)
    assert reason in page and CLAUSE in page and staff_reason in page
    assert not ServingContext.objects.exists()


# --- The desk's pages ---------------------------------------------------------------------


def test_a_parent_with_neither_the_childs_card_nor_their_id_is_refused_and_told_why(
    staff_client,
):
    clerk = staff_client("clerk")
    response = at_desk(clerk, basis="guardian_nothing_presented")
    assert_refused(response, BRING_CARD_OR_ID, "Neither the child's card nor the guardian's")
    assert "Ask why this policy exists" in page_of(response)


def test_saying_the_childs_card_was_presented_without_scanning_it_is_refused(staff_client):
    clerk = staff_client("clerk")
    response = at_desk(clerk, basis="guardian_with_child_card", guardian_card=JORDAN)
    assert_refused(response, BRING_CARD_OR_ID, "Neither the child's card nor")


@pytest.mark.parametrize(
    ("guardian_card", "why"),
    [
        ("", "the parent or guardian was not identified by their own card"),
        ("29000000009999", "no patron has the card given as the guardian's"),
        (AVERY, "this person is not linked to the child as a guardian"),
        (SAM, "this person is not linked to the child as a guardian"),
    ],
)
def test_the_exception_is_refused_with_the_check_that_failed(staff_client, guardian_card, why):
    clerk = staff_client("clerk")
    response = at_desk(
        clerk, basis="guardian_with_child_card", child_card=SAM, guardian_card=guardian_card
    )
    assert_refused(response, LINKED_GUARDIAN_ONLY, f"does not apply: {why}.")


def test_a_guardian_card_reported_lost_does_not_identify_the_guardian(staff_client):
    Patron.objects.filter(card_number=JORDAN).update(card_lost_at=clock.now())
    response = at_desk(
        staff_client("clerk"),
        basis="guardian_id_checked",
        child_card=SAM,
        guardian_card=JORDAN,
    )
    assert_refused(response, LINKED_GUARDIAN_ONLY, "was reported lost")


def test_the_guardians_own_id_opens_the_childs_loans_only(staff_client):
    clerk = staff_client("clerk")
    response = at_desk(clerk, basis="guardian_id_checked", child_card=SAM, guardian_card=JORDAN)
    context = ServingContext.objects.get()
    assert response["Location"] == f"/staff/serving/{context.pk}/"
    assert (context.basis, context.guardian.card_number) == ("guardian_id_checked", JORDAN)
    page = page_of(clerk.get(response["Location"]))
    assert "Guardian exception: Jordan Kakegamic" in page and "807-555-0111" not in page


def test_a_child_found_by_name_is_opened_for_a_guardian_only_through_the_checks(staff_client):
    clerk = staff_client("clerk")
    sam = Patron.objects.get(card_number=SAM)
    page = page_of(clerk.get("/staff/desk/", {"name": "kakegamic"}))
    assert f"Serve a guardian of {sam.name}" in page
    assert "Serve a guardian of Jordan Kakegamic" not in page  # an adult has no guardian form
    prefix = f"g{sam.pk}"
    refused = clerk.post(
        "/staff/desk/guardian/",
        {
            "prefix": prefix,
            f"{prefix}-child_id": sam.pk,
            f"{prefix}-basis": "guardian_nothing_presented",
        },
    )
    assert_refused(refused, BRING_CARD_OR_ID, "Neither the child's card")
    opened = clerk.post(
        "/staff/desk/guardian/",
        {
            "prefix": prefix,
            f"{prefix}-child_id": sam.pk,
            f"{prefix}-basis": "guardian_id_checked",
            f"{prefix}-guardian_card": JORDAN,
        },
    )
    context = ServingContext.objects.get()
    assert opened["Location"] == f"/staff/serving/{context.pk}/"
    assert context.guardian_id == Patron.objects.get(card_number=JORDAN).pk
    # The found child's form offers no "child's card" basis: it was not scanned.
    not_offered = clerk.post(
        "/staff/desk/guardian/",
        {
            "prefix": prefix,
            f"{prefix}-child_id": sam.pk,
            f"{prefix}-basis": "guardian_with_child_card",
            f"{prefix}-guardian_card": JORDAN,
        },
    )
    assert not_offered.status_code == 302 and not_offered["Location"] == "/staff/desk/"
    assert ServingContext.objects.count() == 1


def test_the_guardian_form_needs_a_child_when_the_guardians_id_was_checked(staff_client):
    clerk = staff_client("clerk")
    response = at_desk(clerk, basis="guardian_id_checked", guardian_card=JORDAN)
    assert response.status_code == 302 and response["Location"] == "/staff/desk/"
    page = page_of(clerk.get("/staff/desk/"))
    assert "Scan or type the child's card, or find them by name." in page
    assert not ServingContext.objects.exists()


def test_the_refusal_speaks_french(staff_client, settings):
    clerk = staff_client("clerk")
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = page_of(at_desk(clerk, basis="guardian_nothing_presented"))
    assert "Votre carte n'appartient qu'à vous (OP-02-01-01/confidentiality-loans)" in page
    assert "la carte de bibliothèque de l'enfant ou sa propre pièce d'identité" in page


def test_the_desk_offers_the_third_party_request_and_the_guardian_forms(staff_client):
    page = page_of(staff_client("clerk").get("/staff/desk/"))
    assert 'href="/staff/third-party-requests/new/"' in page
    assert "Neither the child's card nor their own identification" in page


# --- The API: POST /api/v1/serving with guardian bases -------------------------------------


def serve(client, token, **body):
    return client.post("/api/v1/serving", body, content_type="application/json", **bearer(token))


def test_api_a_parent_with_nothing_is_refused_with_the_clause(client, staff_token):
    response = serve(client, staff_token(), basis="guardian_nothing_presented")
    assert response.status_code == 409
    decision = response.json()["decision"]
    assert decision["code"] == "guardian_needs_card_or_id"
    assert [c["id"] for c in decision["clauses"]] == ["OP-02-01-01/confidentiality-loans"]
    assert decision["reason"].startswith(BRING_CARD_OR_ID)
    assert not ServingContext.objects.exists()


def test_api_the_childs_card_basis_without_the_card_is_refused(client, staff_token):
    response = serve(client, staff_token(), basis="guardian_with_child_card", guardian_card=JORDAN)
    assert response.status_code == 409
    assert response.json()["decision"]["code"] == "guardian_needs_card_or_id"


def test_api_refusals_say_which_check_failed_in_french_too(client, staff_token):
    token = staff_token()
    body = {"basis": "guardian_with_child_card", "patron_card": SAM, "guardian_card": BEATRICE}
    response = serve(client, token, **body)
    decision = response.json()["decision"]
    assert response.status_code == 409 and decision["code"] == "guardian_exception_not_met"
    assert decision["staff_reason"] == (
        "The guardian exception does not apply: this person is not linked to the child as a "
        "guardian. Do not disclose the child's account."
    )
    french = client.post(
        "/api/v1/serving",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
        **bearer(token),
    ).json()["decision"]
    assert french["clauses"][0]["title"] == "Votre carte n'appartient qu'à vous"
    assert "cette personne n'est pas liée à l'enfant comme tuteur" in french["staff_reason"]


def test_api_a_guardians_card_with_the_patrons_own_basis_is_refused_as_input(client, staff_token):
    """Otherwise a staff client could open the child's whole account for the parent."""
    response = serve(
        client, staff_token(), basis="card_presented", patron_card=SAM, guardian_card=JORDAN
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "guardian_card"]
    assert not ServingContext.objects.exists()


def test_api_the_exception_ends_at_minor_until(client, staff_token):
    Patron.objects.filter(card_number=SAM).update(minor_until=clock.today())
    response = serve(
        client,
        staff_token(),
        basis="guardian_with_child_card",
        patron_card=SAM,
        guardian_card=JORDAN,
    )
    assert response.status_code == 409
    assert "passed the guardian age limit" in response.json()["decision"]["staff_reason"]
    Patron.objects.filter(card_number=SAM).update(minor_until=clock.today() + timedelta(days=1))
    body = {"basis": "guardian_with_child_card", "patron_card": SAM, "guardian_card": JORDAN}
    assert serve(client, staff_token(), **body).status_code == 201


def test_api_a_guardian_with_id_and_a_child_found_by_id_reads_only_the_exception(
    client, staff_token
):
    sam = Patron.objects.get(card_number=SAM)
    token = staff_token()
    response = serve(
        client, token, basis="guardian_id_checked", patron_id=sam.pk, guardian_card=JORDAN
    )
    assert response.status_code == 201
    headers = {**bearer(token), "HTTP_X_SERVING_CONTEXT": response.json()["id"]}
    assert client.get("/api/v1/patron/loans", **headers).status_code == 200
    assert client.get("/api/v1/patron/requests", **headers).status_code == 403
    reads = AuditEntry.objects.filter(patron_id=sam.pk, action="patron.read.guardian")
    assert [(r.data_kind, r.reason) for r in reads] == [("loans", "guardian_id_checked")]
