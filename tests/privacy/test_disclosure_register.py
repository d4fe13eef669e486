"""Third-party requests (PRIVACY.md, "Access and disclosure"): the desk records a request for
someone else's information and answers with a refusal citing the clauses; the privacy officer
records requester, authority document, scope and decision in an append-only register."""

import inspect
import uuid
from html import unescape

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.patrons.models import Patron
from libdesk.privacy import disclosures
from libdesk.privacy.models import AppendOnly, DisclosureDecision, DisclosureRequest
from tests.conftest import AVERY, bearer

pytestmark = pytest.mark.django_db

REFUSAL = "The library does not tell anyone who uses library materials"
CLAUSES = (
    "Who uses what stays private (OP-02-01-01/confidentiality-identity)",
    "Your card is yours alone (OP-02-01-01/confidentiality-loans)",
)


def page_of(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def record(clerk, **changes):
    form = {
        "key": str(uuid.uuid4()),
        "requester_kind": "employer",
        "requester": "Lakeside Mill, personnel office",
        "concerns": "Avery Lindqvist",
        "patron_card": AVERY,
        "asked": "Which books on job hunting she borrowed this month.",
        **changes,
    }
    return clerk.post("/staff/third-party-requests/new/", form)


def decide(officer, request_id, **changes):
    form = {
        "key": str(uuid.uuid4()),
        "requester": "Cst. R. Morin, Kenora OPP, badge 4411",
        "authority_kind": "warrant",
        "authority_reference": "ONCJ Kenora 26-0412, issued 2026-11-02",
        "scope": "Current loans of the patron named in the warrant, on 2026-11-02 only.",
        "patron_card": "",
        "outcome": "disclosed",
        **changes,
    }
    return officer.post(f"/staff/privacy/register/{request_id}/", form)


# --- At the desk ----------------------------------------------------------------------------


def test_the_desk_records_a_request_and_shows_the_refusal_with_its_clauses(staff_client):
    response = record(staff_client("clerk"))
    assert response.status_code == 200
    made = DisclosureRequest.objects.get()
    page = page_of(response)
    assert f"Request recorded: {made.reference}" in page
    assert REFUSAL in page and f"Your request is recorded as {made.reference}" in page
    for clause in CLAUSES:
        assert clause in page
    assert "not even whether they have a card" in page  # what staff must not do
    # The desk sees nothing of the person asked about beyond what the requester said.
    assert "avery@example.org" not in page and AVERY not in page


def test_the_patron_concerned_is_named_in_the_register_only(staff_client):
    record(staff_client("clerk"))
    made = DisclosureRequest.objects.get()
    avery = Patron.objects.get(card_number=AVERY)
    assert made.patron_id == avery.pk and made.concerns == "Avery Lindqvist"
    assert made.requester_kind == "employer" and made.branch == "MAIN"
    entry = AuditEntry.objects.get(action="disclosure.request")
    assert entry.patron_id is None and entry.object_id == str(made.pk)
    assert entry.reason == "employer"  # a category, never the words
    # Nothing about the request reaches the patron's access log.
    assert (
        not AuditEntry.objects.filter(patron_id=avery.pk).exclude(action="patron.register").exists()
    )


def test_the_same_form_sent_twice_records_one_request(staff_client):
    clerk = staff_client("clerk")
    key = str(uuid.uuid4())
    first, again = record(clerk, key=key), record(clerk, key=key)
    assert DisclosureRequest.objects.count() == 1
    reference = DisclosureRequest.objects.get().reference
    assert f"Request recorded: {reference}" in page_of(again)
    assert page_of(first).count(reference) == page_of(again).count(reference)


def test_a_request_without_what_was_asked_is_a_form_error_and_records_nothing(staff_client):
    response = record(staff_client("clerk"), asked="", requester_kind="bailiff")
    assert response.status_code == 422
    page = page_of(response)
    assert "This field is required." in page and "Select a valid choice." in page
    assert not DisclosureRequest.objects.exists()


def test_the_refusal_speaks_french(staff_client, settings):
    clerk = staff_client("clerk")
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = page_of(record(clerk))
    reference = DisclosureRequest.objects.get().reference
    assert f"Votre demande est consignée sous le numéro {reference}" in page
    assert "Qui utilise quoi reste privé (OP-02-01-01/confidentiality-identity)" in page


# --- The privacy officer --------------------------------------------------------------------


def test_the_privacy_officer_sees_the_request_waiting_and_adds_a_decision(staff_client):
    record(staff_client("clerk"))
    made = DisclosureRequest.objects.get()
    officer = staff_client("privacy")
    register = page_of(officer.get("/staff/privacy/register/"))
    assert made.reference in register and "Lakeside Mill, personnel office" in register
    assert "Refused at the desk; waiting" in register
    entry = page_of(officer.get(f"/staff/privacy/register/{made.pk}/"))
    assert "Which books on job hunting she borrowed this month." in entry
    assert "the patron Avery Lindqvist" in entry
    refused = decide(
        officer, made.pk, outcome="refused", authority_kind="none", authority_reference=""
    )
    assert refused.status_code == 302
    later = decide(officer, made.pk)
    assert later.status_code == 302
    decisions = list(DisclosureDecision.objects.order_by("pk"))
    assert [d.outcome for d in decisions] == ["refused", "disclosed"]
    assert decisions[1].authority_reference == "ONCJ Kenora 26-0412, issued 2026-11-02"
    assert decisions[1].patron_id == made.patron_id
    page = page_of(officer.get(f"/staff/privacy/register/{made.pk}/"))
    assert "Refused" in page and "Disclosed" in page and "ONCJ Kenora 26-0412" in page
    assert "Disclosed" in page_of(officer.get("/staff/privacy/register/"))
    entries = AuditEntry.objects.filter(action="disclosure.decision")
    assert [e.reason for e in entries] == ["refused", "disclosed"]
    assert all(e.patron_id is None for e in entries)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"authority_kind": "none"}, "nothing is disclosed without a legal authority"),
        ({"authority_reference": ""}, "this is needed in the register"),
        ({"scope": " "}, "this is needed in the register"),
        ({"patron_card": "29000000009999"}, "no patron has this card"),
        ({"outcome": "shared"}, "Select a valid choice."),
    ],
)
def test_a_disclosure_needs_its_authority_reference_and_scope(staff_client, changes, message):
    record(staff_client("clerk"))
    made = DisclosureRequest.objects.get()
    response = decide(staff_client("privacy"), made.pk, **changes)
    assert response.status_code == 422
    assert message in page_of(response)
    assert not DisclosureDecision.objects.exists()


def test_the_privacy_officer_records_a_request_that_came_by_letter(staff_client):
    officer = staff_client("privacy")
    response = record(officer, requester_kind="lawyer", patron_card="")
    assert response.status_code == 200
    assert DisclosureRequest.objects.get().patron_id is None


def test_reading_the_register_is_audited(staff_client):
    record(staff_client("clerk"))
    made = DisclosureRequest.objects.get()
    officer = staff_client("privacy")
    officer.get("/staff/privacy/register/")
    officer.get(f"/staff/privacy/register/{made.pk}/")
    reads = AuditEntry.objects.filter(action="disclosure.read").order_by("seq")
    assert [(r.object_type, r.object_id) for r in reads] == [
        ("disclosure_register", ""),
        ("disclosure_request", str(made.pk)),
    ]
    assert officer.get("/staff/privacy/register/999999/").status_code == 404


def test_only_the_privacy_officer_reads_the_register(staff_client):
    record(staff_client("clerk"))
    made = DisclosureRequest.objects.get()
    for username in ("clerk", "librarian", "head", "admin"):
        browser = staff_client(username)
        assert browser.get("/staff/privacy/register/").status_code == 403
        assert browser.get(f"/staff/privacy/register/{made.pk}/").status_code == 403
    assert staff_client("admin").get("/staff/third-party-requests/new/").status_code == 403


# --- Append-only ------------------------------------------------------------------------------


def _some_entries(staff_client):
    record(staff_client("clerk"))
    made = DisclosureRequest.objects.get()
    decide(staff_client("privacy"), made.pk)
    return made, DisclosureDecision.objects.get()


def test_the_service_has_no_way_to_change_or_remove_an_entry():
    """The register's services only insert: the functions the module offers, and every ORM call
    in its source, are the ones that add."""
    public = {
        name
        for name, value in vars(disclosures).items()
        if inspect.isfunction(value) and value.__module__ == disclosures.__name__
        if not name.startswith("_")
    }
    assert public == {"record_request", "record_decision"}
    source = inspect.getsource(disclosures)
    for changing in (".update(", ".delete(", ".save(", "bulk_update", "update_or_create", "raw("):
        assert changing not in source, changing
    assert source.count(".objects.create(") == 2


def test_python_cannot_change_or_remove_an_entry(staff_client):
    made, decision = _some_entries(staff_client)
    for model, row in ((DisclosureRequest, made), (DisclosureDecision, decision)):
        with pytest.raises(AppendOnly):
            model.objects.filter(pk=row.pk).update(requester="someone else")
        with pytest.raises(AppendOnly):
            model.objects.filter(pk=row.pk).delete()
        with pytest.raises(AppendOnly):
            row.save()
        with pytest.raises(AppendOnly):
            row.delete()
        with pytest.raises(AppendOnly):
            model.objects.bulk_update([row], ["requester"])
    with pytest.raises(AppendOnly):
        DisclosureDecision.objects.update_or_create(pk=decision.pk, defaults={"scope": "all"})
    with pytest.raises(ProtectedError):  # nor through the staff member who recorded it
        made.received_by.delete()
    made.refresh_from_db()
    decision.refresh_from_db()
    assert decision.outcome == "disclosed" and made.requester == "Lakeside Mill, personnel office"


def test_the_database_refuses_an_update_from_anywhere(staff_client):
    made, decision = _some_entries(staff_client)
    for statement, row in (
        ("UPDATE privacy_disclosurerequest SET requester = %s WHERE id = %s", made),
        ("UPDATE privacy_disclosuredecision SET requester = %s WHERE id = %s", decision),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, ["someone else", row.pk])
    assert DisclosureDecision.objects.get().requester.startswith("Cst. R. Morin")
    assert DisclosureRequest.objects.get().requester == "Lakeside Mill, personnel office"


def test_the_database_refuses_a_disclosure_without_authority_and_scope(staff_client):
    made, _ = _some_entries(staff_client)
    staff = made.received_by
    for authority, reference, scope in (
        ("none", "x", "x"),
        ("warrant", "", "x"),
        ("warrant", "x", ""),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            DisclosureDecision.objects.create(
                key=uuid.uuid4(),
                request=made,
                decided_at=clock.now(),
                decided_by=staff,
                requester="x",
                authority_kind=authority,
                authority_reference=reference,
                scope=scope,
                outcome="disclosed",
            )
    assert DisclosureDecision.objects.count() == 1


# --- The API ----------------------------------------------------------------------------------


def api_body(**changes):
    return {
        "key": str(uuid.uuid4()),
        "requester_kind": "police",
        "requester": "Kenora OPP",
        "concerns": "the person who has 'Owls at Night'",
        "asked": "Who borrowed this book last week.",
        **changes,
    }


def test_api_records_a_request_and_answers_with_the_refusal(client, staff_token):
    token = staff_token()
    body = api_body()
    response = client.post(
        "/api/v1/third-party-requests", body, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 201
    made = DisclosureRequest.objects.get()
    data = response.json()
    assert data["reference"] == made.reference
    assert data["decision"]["outcome"] == "refused"
    assert data["decision"]["code"] == "third_party_request_refused"
    assert [c["id"] for c in data["decision"]["clauses"]] == [
        "OP-02-01-01/confidentiality-identity",
        "OP-02-01-01/confidentiality-loans",
    ]
    again = client.post(
        "/api/v1/third-party-requests", body, content_type="application/json", **bearer(token)
    )
    assert again.json() == data and DisclosureRequest.objects.count() == 1


def test_api_bad_input_is_422_naming_the_field(client, staff_token):
    for changes, field in (
        ({"requester_kind": "bailiff"}, "requester_kind"),
        ({"asked": "x" * 4001}, "asked"),
        ({"concerns": "   "}, "concerns"),
    ):
        response = client.post(
            "/api/v1/third-party-requests",
            api_body(**changes),
            content_type="application/json",
            **bearer(staff_token()),
        )
        assert response.status_code == 422, changes
        assert field in str(response.json()["detail"][0]["loc"])
    assert not DisclosureRequest.objects.exists()


def test_api_only_desk_roles_and_the_privacy_officer_record_requests(
    client, staff_token, patron_token
):
    def post(token):
        return client.post(
            "/api/v1/third-party-requests",
            api_body(),
            content_type="application/json",
            **bearer(token),
        ).status_code

    assert post(staff_token("admin")) == 403
    assert post(patron_token(AVERY)) == 401
    assert post(staff_token("privacy")) == 201
