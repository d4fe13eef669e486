"""Closing the account (PRIVACY.md, "Patrons' rights"): refused with its clause while anything
is on loan or owed; otherwise the card stops working, every session and token ends, and every
kind of patron data gets its closing rule, so that afterwards no table holds the patron's
name, card or contact details (the canary scan)."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session

from libdesk.access.table import AccessDenied
from libdesk.circulation import services
from libdesk.circulation.models import Fee, Hold, HoldStatus, Loan, Payment
from libdesk.core import patron_data
from libdesk.patrons.models import Patron
from tests.conftest import AVERY, bearer
from tests.rights import world as canary

pytestmark = pytest.mark.django_db

CANARIES = (canary.CANARY_NAME, canary.CANARY_CARD, canary.CANARY_EMAIL, canary.CANARY_PHONE)


@pytest.fixture
def world(client, shelf):
    return canary.build(client, shelf)


@pytest.fixture
def web(client, world):
    response = client.post(
        "/account/sign-in/", {"card": canary.CANARY_CARD, "pin": canary.CANARY_PIN}
    )
    assert response.status_code == 302
    return client


def _settle(world) -> None:
    """Bring the loan back and pay what is owed."""
    services.checkin(world.desk, world.on_loan.barcode)
    services.pay(world.desk, Fee.objects.get(pk=world.fee.pk), Decimal("1.50"))


def every_row_as_text() -> str:
    """Every value of every row of every table (session data decoded), for the canary scan."""
    chunks = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*fields):
            chunks.append(" ".join(str(value) for value in row))
    for session in Session.objects.all():
        chunks.append(str(session.get_decoded()))
    return "\n".join(chunks)


def test_the_page_says_what_closing_does_to_each_kind(web):
    page = web.get("/account/privacy/close/").content.decode()
    for kind in patron_data.kinds():
        assert str(kind.label).replace("'", "&#x27;") in page, kind.name
    assert "Active holds are cancelled" in page


def test_closing_is_refused_while_something_is_on_loan(web, world):
    page = web.get("/account/privacy/close/").content.decode()
    assert "cannot be closed while anything is on loan to you (items on loan: 1)" in page
    assert "Optimum service for all" in page
    response = web.post("/account/privacy/close/", {"confirm": "on"})
    assert response.status_code == 409
    assert "cannot be closed while anything is on loan" in response.content.decode()
    assert Patron.objects.filter(pk=world.patron.pk).exists()
    assert web.get("/account/").status_code == 200  # still signed in: nothing happened


def test_closing_is_refused_while_money_is_owed(web, world):
    services.checkin(world.desk, world.on_loan.barcode)
    response = web.post("/account/privacy/close/", {"confirm": "on"})
    assert response.status_code == 409
    assert "cannot be closed while 1.50 is owed" in response.content.decode()
    assert Patron.objects.filter(pk=world.patron.pk).exists()


def test_the_refusal_is_in_french_too(web, world):
    web.cookies["libdesk_language"] = "fr"
    response = web.post("/account/privacy/close/", {"confirm": "on"})
    assert response.status_code == 409
    assert "ne peut pas être fermé" in response.content.decode()


def test_closing_needs_the_box_ticked(web, world):
    _settle(world)
    response = web.post("/account/privacy/close/", {})
    assert response.status_code == 200
    assert Patron.objects.filter(pk=world.patron.pk).exists()


def test_closing_ends_everything_and_leaves_the_patron_nowhere(client, web, world):
    _settle(world)
    assert all(value in every_row_as_text() for value in CANARIES)  # the scan can find them
    patron_id = world.patron.pk
    response = web.post("/account/privacy/close/", {"confirm": "on"})
    assert response.status_code == 200
    assert "Your account is closed" in response.content.decode()
    # signed out here and everywhere; the card no longer signs in
    assert "/sign-in/" in web.get("/account/")["Location"]
    assert client.get("/api/v1/me", **bearer(world.token)).status_code == 401
    again = client.post(
        "/api/v1/auth/patron",
        {"patron_card": canary.CANARY_CARD, "pin": canary.CANARY_PIN},
        content_type="application/json",
    )
    assert again.status_code == 401
    # the copy set aside for the patron's hold went to the next in line
    avery_hold = Hold.objects.get(patron__card_number=AVERY)
    assert avery_hold.status == HoldStatus.READY
    assert avery_hold.captured_item_id == world.hold_copy.pk
    # kept for the figures and the accounts, naming nobody
    assert Loan.objects.filter(item=world.on_loan).get().patron_id is None
    payments = Payment.objects.filter(fee_id=world.fee.pk)
    # the desk's two and the kiosk's one (no member of staff took it)
    assert payments.count() == 3 and all(p.fee.patron_id is None for p in payments)
    assert payments.filter(staff__isnull=True, terminal="kiosk").count() == 1
    # every kind's rows about the patron are gone, but the audit log's numbers
    left = {k.name for k in patron_data.kinds() if k.rows(patron_id).exists()}
    assert left == {"audit.entries"}
    text = every_row_as_text()
    for value in CANARIES:
        assert value not in text, value


def test_staff_cannot_close_a_patrons_account(world):
    from libdesk.privacy.services import open_serving_context, serving_access
    from libdesk.rights.services import close_account

    context = open_serving_context(
        world.staff, world.workstation, basis="card_presented", card=canary.CANARY_CARD
    )
    with pytest.raises(AccessDenied):
        close_account(serving_access(context))
    assert Patron.objects.filter(pk=world.patron.pk).exists()
