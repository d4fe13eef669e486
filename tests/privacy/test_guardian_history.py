"""A child's reading history and the guardian (PRIVACY.md: "Opt-in reading history is not
shown to the guardian unless the child chose so"). The child chooses on their own privacy
page or over the API; the guardian then sees it online, recorded like the loans; withdrawn,
or past `minor_until`, it is gone from the guardian's view; nobody at the desk sees it."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from tests.circulation.conftest import Shelf
from tests.conftest import AVERY, BEATRICE, JORDAN, SAM, bearer
from tests.privacy.test_guardian_online import signed_in, token_of

pytestmark = pytest.mark.django_db


def choose(client: Client, card: str, **choices: bool) -> None:
    """The patron sets their consents over their own door (PUT /api/v1/me/consents)."""
    response = client.put(
        "/api/v1/me/consents", choices, content_type="application/json", **token_of(client, card)
    )
    assert response.status_code == 200, response.content


@pytest.fixture
def sams_history(demo_library):
    """Sam keeps a reading history and returned "Owls at Night"; nothing decided yet about
    showing it to Jordan. Returns Sam's id."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.patrons.models import Patron

    choose(Client(), SAM, reading_history=True)
    desk = Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )
    shelf = Shelf()
    copy = shelf.copy(shelf.record("Owls at Night"))
    services.checkout(desk, Patron.objects.get(card_number=SAM), copy.barcode)
    services.checkin(desk, copy.barcode)
    return Patron.objects.get(card_number=SAM).pk


def history_reads():
    return AuditEntry.objects.filter(actor_kind="guardian", data_kind="history")


def test_not_shared_the_guardian_finds_no_history_and_nothing_is_recorded(client, sams_history):
    headers = token_of(client, JORDAN)
    assert client.get("/api/v1/me/children", **headers).json()[0]["history_shared"] is False
    response = client.get(f"/api/v1/me/children/{sams_history}/history", **headers)
    assert response.status_code == 404  # as for a child who keeps none
    page = unescape(signed_in(JORDAN).get(f"/account/children/{sams_history}/").content.decode())
    assert "Owls at Night" not in page
    assert "Not shared with you" in page
    assert not history_reads().exists()


def test_shared_the_guardian_sees_it_online_and_the_look_is_recorded(client, sams_history):
    choose(client, SAM, guardian_visibility=True)
    headers = token_of(client, JORDAN)
    assert client.get("/api/v1/me/children", **headers).json()[0]["history_shared"] is True
    response = client.get(f"/api/v1/me/children/{sams_history}/history", **headers)
    assert response.status_code == 200
    assert [(e["title"], e["returned_on"]) for e in response.json()] == [
        ("Owls at Night", clock.today().isoformat())
    ]
    page = unescape(signed_in(JORDAN).get(f"/account/children/{sams_history}/").content.decode())
    assert "Owls at Night" in page.split("Reading history", 1)[1]

    reads = list(history_reads())
    assert {(r.patron_id, r.action) for r in reads} == {(sams_history, "patron.read.guardian")}
    log = client.get("/api/v1/me/access-log", **token_of(client, SAM)).json()
    assert {"role": "guardian", "data_kind": "history"} in [
        {"role": e["role"], "data_kind": e["data_kind"]} for e in log
    ]


def test_withdrawn_it_is_gone_from_the_guardians_view_at_once(client, sams_history):
    choose(client, SAM, guardian_visibility=True)
    headers = token_of(client, JORDAN)
    assert client.get(f"/api/v1/me/children/{sams_history}/history", **headers).status_code == 200
    choose(client, SAM, guardian_visibility=False)
    assert client.get(f"/api/v1/me/children/{sams_history}/history", **headers).status_code == 404
    # Sam's own history stays: only showing it to Jordan was withdrawn.
    own = client.get("/api/v1/me/history", **token_of(client, SAM)).json()
    assert [e["title"] for e in own] == ["Owls at Night"]


@pytest.mark.parametrize("card", [AVERY, BEATRICE])
def test_nobody_else_finds_the_childs_history(client, sams_history, card):
    choose(client, SAM, guardian_visibility=True)
    response = client.get(f"/api/v1/me/children/{sams_history}/history", **token_of(client, card))
    assert response.status_code == 404
    assert not history_reads().exists()


def test_past_minor_until_the_history_is_no_longer_the_guardians(client, sams_history):
    from libdesk.patrons.models import Patron

    choose(client, SAM, guardian_visibility=True)
    ends = clock.today() + timedelta(days=2)
    Patron.objects.filter(pk=sams_history).update(minor_until=ends)
    with clock.travel_to(clock.now() + timedelta(days=2)):
        response = client.get(
            f"/api/v1/me/children/{sams_history}/history", **token_of(client, JORDAN)
        )
        assert response.status_code == 404


def test_staff_tokens_cannot_read_a_childs_history(client, staff_token, sams_history):
    choose(client, SAM, guardian_visibility=True)
    response = client.get(f"/api/v1/me/children/{sams_history}/history", **bearer(staff_token()))
    assert response.status_code == 401


def test_at_the_desk_a_guardian_is_never_shown_the_history(sams_history):
    """Even shared, the desk's guardian context has no cell for it: the child chose to share
    it with the guardian's own account, not with whoever stands at the desk."""
    from libdesk.access.purposes import Access
    from libdesk.access.table import AccessDenied, Context, Role
    from libdesk.audit.actors import Actor
    from libdesk.circulation import reading_history

    choose(Client(), SAM, guardian_visibility=True)
    at_desk = Access(
        actor=Actor.guardian(1),
        role=Role.CLERK,
        context=Context.GUARDIAN_AT_DESK,
        patron_id=sams_history,
    )
    with pytest.raises(AccessDenied):
        list(reading_history.history(at_desk))
