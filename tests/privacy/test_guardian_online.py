"""The parent exception online (PRIVACY.md, "Access and disclosure"): a guardian signed in to
their own account sees each covered child's current loans, holds and fees, by internal id;
each look is recorded on the guardian's own sign-in, shown to the privacy officer and in the
child's own access log; a child past `minor_until`, or not theirs, is not found."""

import itertools
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from tests.circulation.conftest import Shelf
from tests.conftest import AVERY, JORDAN, PINS, SAM, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sams_account(demo_library):
    """Sam (Jordan's child) has two books out, a hold and a fee; Avery has a book out."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.services.fees import charge_fee
    from libdesk.patrons.models import Patron

    shelf = Shelf()
    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    sam, avery = Patron.objects.get(card_number=SAM), Patron.objects.get(card_number=AVERY)
    first = services.checkout(desk, sam, shelf.copy(shelf.record("Owls at Night")).barcode)
    services.checkout(desk, sam, shelf.copy(shelf.record("The Lake in Winter")).barcode)
    services.checkout(desk, avery, shelf.copy(shelf.record("Avery's Own Novel")).barcode)
    wanted = shelf.record("Canoe Trips")
    shelf.copy(wanted, status="on_loan")
    services.place_hold(desk, sam, pickup_branch=desk.branch, record=wanted)
    with transaction.atomic():
        charge_fee(first.loan, "damage", Decimal("4.50"))
    return sam


def token_of(client, card: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/patron",
        {"patron_card": card, "pin": PINS[card]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return bearer(response.json()["token"])


def signed_in(card: str) -> Client:
    browser = Client()
    assert browser.post("/account/sign-in/", {"card": card, "pin": PINS[card]}).status_code == 302
    return browser


def guardian_reads():
    return AuditEntry.objects.filter(actor_kind="guardian").order_by("seq")


# --- The API ---------------------------------------------------------------------------------


def test_a_guardian_lists_each_covered_child_by_internal_id(client, sams_account):
    response = client.get("/api/v1/me/children", **token_of(client, JORDAN))
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": sams_account.pk,
            "name": "Sam Kakegamic",
            "covered_until": "2032-05-01",
            "history_shared": False,
        }
    ]
    assert SAM not in response.content.decode()  # never the card number


def test_a_patron_with_no_linked_child_lists_none(client, sams_account):
    assert client.get("/api/v1/me/children", **token_of(client, AVERY)).json() == []
    assert client.get("/api/v1/me/children", **token_of(client, SAM)).json() == []


def test_a_guardian_sees_the_childs_current_loans_holds_and_fees(client, sams_account):
    headers = token_of(client, JORDAN)
    base = f"/api/v1/me/children/{sams_account.pk}"
    loans = client.get(f"{base}/loans", **headers).json()
    assert sorted(loan["title"] for loan in loans) == ["Owls at Night", "The Lake in Winter"]
    assert all(loan["state"] == "open" for loan in loans)
    holds = client.get(f"{base}/holds", **headers).json()
    assert [(h["title"], h["status"], h["position"]) for h in holds] == [
        ("Canoe Trips", "waiting", 1)
    ]
    assert "pickup_code" not in holds[0]
    fees = client.get(f"{base}/fees", **headers).json()
    assert [(f["kind"], f["balance"]) for f in fees] == [("damage", "4.50")]
    assert "Avery's Own Novel" not in str(loans)


def test_each_disclosure_is_recorded_with_who_which_child_what_and_the_basis(client, sams_account):
    headers = token_of(client, JORDAN)
    jordan_id = client.get("/api/v1/me", **headers).json()  # the guardian's own profile
    assert jordan_id["name"] == "Jordan Kakegamic"
    for kind in ("loans", "holds", "fees"):
        client.get(f"/api/v1/me/children/{sams_account.pk}/{kind}", **headers)
    from libdesk.patrons.models import Patron

    jordan = Patron.objects.get(card_number=JORDAN)
    reads = list(guardian_reads())
    assert [r.data_kind for r in reads] == ["loans", "holds", "fees"]
    for read in reads:
        assert (read.actor_id, read.actor_role) == (str(jordan.pk), "guardian")
        assert read.patron_id == sams_account.pk  # which child
        assert (read.object_type, read.object_id) == ("guardian", str(jordan.pk))
        assert read.reason == "guardian_sign_in"  # on what basis
        assert read.action.startswith("patron.read")


def test_the_child_sees_the_guardians_look_in_their_own_access_log(client, sams_account):
    client.get(f"/api/v1/me/children/{sams_account.pk}/loans", **token_of(client, JORDAN))
    log = client.get("/api/v1/me/access-log", **token_of(client, SAM)).json()
    assert {"role": "guardian", "data_kind": "loans"} in [
        {"role": e["role"], "data_kind": e["data_kind"]} for e in log
    ]
    page = unescape(signed_in(SAM).get("/account/").content.decode())
    access_log = page.split("Who looked at your record", 1)[1]
    assert "Guardian" in access_log and "loans" in access_log


def test_the_privacy_officer_finds_the_disclosure_in_the_audit_log(
    client, staff_client, sams_account
):
    client.get(f"/api/v1/me/children/{sams_account.pk}/fees", **token_of(client, JORDAN))
    page = staff_client("privacy").get(
        "/staff/audit/", {"action": "patron.read", "patron_id": sams_account.pk}
    )
    text = page.content.decode()
    assert "guardian_sign_in" in text and "fees" in text


def test_someone_elses_child_is_not_found_and_nothing_is_recorded(client, sams_account):
    from libdesk.patrons.models import Patron

    avery = Patron.objects.get(card_number=AVERY)
    for card, child in ((AVERY, sams_account.pk), (SAM, sams_account.pk), (JORDAN, avery.pk)):
        headers = token_of(client, card)
        for kind in ("loans", "holds", "fees"):
            response = client.get(f"/api/v1/me/children/{child}/{kind}", **headers)
            assert response.status_code == 404, (card, kind)
            assert response.json() == {"detail": "Not found"}
    assert (
        client.get("/api/v1/me/children/999999/loans", **token_of(client, JORDAN)).status_code
        == 404
    )
    assert not guardian_reads().exists()


def test_a_child_past_minor_until_is_no_longer_covered(client, sams_account):
    from libdesk.patrons.models import Patron

    now = clock.now()
    Patron.objects.filter(pk=sams_account.pk).update(minor_until=clock.today() + timedelta(days=2))
    with clock.travel_to(now + timedelta(days=1)):  # the day before: still covered
        headers = token_of(client, JORDAN)
        assert client.get("/api/v1/me/children", **headers).json()[0]["id"] == sams_account.pk
    with clock.travel_to(now + timedelta(days=2)):  # minor_until itself: the exception has ended
        headers = token_of(client, JORDAN)
        assert client.get("/api/v1/me/children", **headers).json() == []
        response = client.get(f"/api/v1/me/children/{sams_account.pk}/loans", **headers)
        assert response.status_code == 404
        page = signed_in(JORDAN).get(f"/account/children/{sams_account.pk}/")
        assert page.status_code == 404
    assert not guardian_reads().exists()


def test_staff_tokens_cannot_use_the_guardians_door(client, staff_token, sams_account):
    response = client.get(f"/api/v1/me/children/{sams_account.pk}/loans", **bearer(staff_token()))
    assert response.status_code == 401


def test_a_childs_loans_cost_the_same_queries_for_one_loan_as_for_many(client, sams_account):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk

    headers = token_of(client, JORDAN)
    url = f"/api/v1/me/children/{sams_account.pk}/loans"
    client.get(url, **headers)  # the first look is recorded; later ones alike
    with CaptureQueriesContext(connection) as two:
        client.get(url, **headers)
    shelf = Shelf(barcodes=itertools.count(32000000000001))  # beside the fixture's copies
    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    for n in range(4):
        services.checkout(desk, sams_account, shelf.copy(shelf.record(f"More {n}")).barcode)
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(url, **headers).json()) == 6
    assert len(six.captured_queries) == len(two.captured_queries)


# --- The pages -------------------------------------------------------------------------------


def test_the_account_page_links_to_the_childrens_page(sams_account):
    page = signed_in(JORDAN).get("/account/").content.decode()
    assert 'href="/account/children/"' in page


def test_a_guardian_finds_each_child_on_their_own_page_by_internal_id(sams_account):
    browser = signed_in(JORDAN)
    listing = browser.get("/account/children/")
    assert listing.status_code == 200 and "no-store" in listing["Cache-Control"]
    text = unescape(listing.content.decode())
    assert f'href="/account/children/{sams_account.pk}/"' in text
    assert "Sam Kakegamic" in text and SAM not in text
    child = browser.get(f"/account/children/{sams_account.pk}/")
    assert child.status_code == 200 and "no-store" in child["Cache-Control"]
    text = unescape(child.content.decode())
    for shown in ("Owls at Night", "The Lake in Winter", "Canoe Trips", "4.50"):
        assert shown in text
    assert "Avery's Own Novel" not in text and SAM not in text
    assert "807-555-0111" not in text  # the child's contact is not part of the exception
    assert [r.data_kind for r in guardian_reads()] == ["loans", "holds", "fees"]


def test_the_childrens_pages_answer_404_for_another_child_and_sign_in_for_nobody(
    client, sams_account
):
    from libdesk.patrons.models import Patron

    avery = Patron.objects.get(card_number=AVERY)
    assert signed_in(AVERY).get(f"/account/children/{sams_account.pk}/").status_code == 404
    assert signed_in(JORDAN).get(f"/account/children/{avery.pk}/").status_code == 404
    assert "No child is linked" in unescape(
        signed_in(AVERY).get("/account/children/").content.decode()
    )
    for url in ("/account/children/", f"/account/children/{sams_account.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/sign-in/"
    assert not guardian_reads().exists()


def test_the_childrens_page_speaks_french(sams_account):
    browser = signed_in(JORDAN)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = unescape(browser.get("/account/children/").content.decode())
    assert "Les comptes de vos enfants" in page
