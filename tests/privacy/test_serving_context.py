"""The serving context: the desk opens an account by card or a recorded identity check,
reads are audited, and outside it there is nothing to read."""

from datetime import timedelta
from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.patrons.models import Patron
from libdesk.privacy.models import ServingContext
from tests.conftest import AVERY, JORDAN, SAM

pytestmark = pytest.mark.django_db


def scan(client, card):
    return client.post("/staff/desk/card/", {"card": card})


def test_scanning_a_card_opens_the_account_and_audits_the_read(staff_client):
    clerk = staff_client("clerk")
    response = scan(clerk, AVERY)
    assert response.status_code == 302
    context = ServingContext.objects.get()
    assert response["Location"] == f"/staff/serving/{context.pk}/"
    assert AVERY not in response["Location"]  # no card numbers in URLs
    page = clerk.get(response["Location"]).content.decode()
    assert "Avery Lindqvist" in page and "avery@example.org" in page
    avery = Patron.objects.get(card_number=AVERY)
    opened, read = (
        AuditEntry.objects.filter(patron_id=avery.pk)
        .exclude(action="patron.register")
        .order_by("seq")[:2]
    )
    assert (opened.action, opened.reason, opened.workstation) == (
        "serving.open",
        "card_presented",
        "MAIN-DESK-1",
    )
    assert (read.action, read.data_kind, read.actor_role) == ("patron.read", "profile", "clerk")


def test_an_unknown_card_opens_nothing(staff_client):
    clerk = staff_client("clerk")
    response = scan(clerk, "29000000009999")
    assert response.status_code == 302 and response["Location"] == "/staff/desk/"
    assert "No patron has this card." in clerk.get("/staff/desk/").content.decode()
    assert not ServingContext.objects.exists()


def test_another_staff_members_context_is_not_found(staff_client):
    scan(staff_client("clerk"), AVERY)
    context = ServingContext.objects.get()
    assert staff_client("librarian").get(f"/staff/serving/{context.pk}/").status_code == 404


def test_a_context_ends_after_ten_idle_minutes(staff_client):
    clerk = staff_client("clerk")
    with clock.travel_to(clock.now()):
        url = scan(clerk, AVERY)["Location"]
        clock.advance(timedelta(minutes=9))
        assert clerk.get(url).status_code == 200  # using it keeps it open
        clock.advance(timedelta(minutes=9))
        assert clerk.get(url).status_code == 200
        clock.advance(timedelta(minutes=10, seconds=1))
        assert clerk.get(url).status_code == 404


def test_finishing_ends_the_context(staff_client):
    clerk = staff_client("clerk")
    url = scan(clerk, AVERY)["Location"]
    clerk.post(url + "end/")
    assert clerk.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="serving.end").count() == 1


def test_finding_by_name_needs_a_recorded_identity_check(staff_client):
    clerk = staff_client("clerk")
    page = clerk.get("/staff/desk/", {"name": "lindqvist"}).content.decode()
    assert "Avery Lindqvist" in page and "card ending 0001" in page
    assert "avery@example.org" not in page  # the result list shows no contact details
    avery = Patron.objects.get(card_number=AVERY)
    missing_basis = clerk.post(
        "/staff/desk/identity/", {"prefix": f"p{avery.pk}", f"p{avery.pk}-patron_id": avery.pk}
    )
    assert missing_basis["Location"] == "/staff/desk/" and not ServingContext.objects.exists()
    response = clerk.post(
        "/staff/desk/identity/",
        {
            "prefix": f"p{avery.pk}",
            f"p{avery.pk}-patron_id": avery.pk,
            f"p{avery.pk}-basis": "id_checked",
            f"p{avery.pk}-note": "driver's licence seen",
        },
    )
    context = ServingContext.objects.get()
    assert response["Location"] == f"/staff/serving/{context.pk}/"
    assert (context.basis, context.note) == ("id_checked", "driver's licence seen")
    assert AuditEntry.objects.filter(action="patron.search").count() == 1


def test_staff_outside_the_desk_roles_cannot_open_accounts(staff_client):
    assert staff_client("admin").get("/staff/desk/").status_code == 403
    assert staff_client("privacy").post("/staff/desk/card/", {"card": AVERY}).status_code == 403


def test_a_linked_guardian_with_the_childs_card_is_told_only_what_the_exception_allows(
    staff_client,
):
    clerk = staff_client("clerk")
    response = clerk.post(
        "/staff/desk/guardian/",
        {"child_card": SAM, "guardian_card": JORDAN, "basis": "guardian_with_child_card"},
    )
    page = unescape(clerk.get(response["Location"]).content.decode())
    assert "Guardian exception: Jordan Kakegamic" in page
    assert "807-555-0111" not in page  # the child's contact is not disclosed
    reads = AuditEntry.objects.filter(action="patron.read.guardian")
    assert {r.data_kind for r in reads} == {"profile", "loans", "holds", "fees"}
    for read in reads:
        assert read.patron_id == Patron.objects.get(card_number=SAM).pk
        assert read.object_id == str(Patron.objects.get(card_number=JORDAN).pk)
        assert read.reason == "guardian_with_child_card"


def test_someone_not_linked_to_the_child_is_refused_with_the_clause(staff_client):
    clerk = staff_client("clerk")
    response = clerk.post(
        "/staff/desk/guardian/",
        {"child_card": SAM, "guardian_card": AVERY, "basis": "guardian_with_child_card"},
    )
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert "Your card is yours alone (OP-02-01-01/confidentiality-loans)" in page
    assert not ServingContext.objects.exists()


def test_the_exception_ends_when_the_child_passes_the_age_limit(staff_client):
    clerk = staff_client("clerk")
    with clock.travel_to(clock.now().replace(year=2032, month=5, day=2)):
        response = clerk.post(
            "/staff/desk/guardian/",
            {"child_card": SAM, "guardian_card": JORDAN, "basis": "guardian_id_checked"},
        )
    assert response.status_code == 409
