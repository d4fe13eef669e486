"""Revealing a current borrower takes a reason from a list, never typed words: the staff item
page offers the list in the clerk's language, the two audit entries carry its code, and the
patron reads "that you have an item: current borrower" in their access log."""

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.circulation import services
from libdesk.circulation.desk import CirculationError
from libdesk.circulation.disclosure import RevealReason, reveal_borrower
from tests.conftest import AVERY, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def lent(shelf, desk, patron):
    record = shelf.record("Damaged on return")
    item = shelf.copy(record)
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    return record, item, loan


def test_the_item_page_offers_the_reasons_in_the_clerks_language(staff_client, lent):
    record, item, _ = lent
    clerk = staff_client()
    page = clerk.get(f"/staff/catalog/records/{record.pk}/").content.decode()
    assert f'<select id="why-{item.pk}" name="reason" required>' in page
    for code, label in RevealReason.choices:
        assert f'<option value="{code}">{label}</option>' in page
    french = clerk.get(
        f"/staff/catalog/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Réclamation pour dommages" in french and "Litige sur un document perdu" in french


@pytest.mark.parametrize("typed", ["", "damage claim", "Avery's claim about the atlas", "other"])
def test_a_reason_not_on_the_list_shows_nobody_and_records_nothing(staff_client, lent, typed):
    _, item, _ = lent
    refused = staff_client().post(
        f"/staff/catalog/items/{item.pk}/borrower/", {"reason": typed}, follow=True
    )
    text = refused.content.decode()
    assert "choose why you need to know from the list" in text and "Avery" not in text
    assert not AuditEntry.objects.filter(action="circulation.borrower.reveal").exists()
    assert not AuditEntry.objects.filter(data_kind="current_borrower").exists()


def test_a_reason_from_the_list_shows_the_borrower_and_records_its_code(
    staff_client, client, lent, patron, patron_token
):
    _, item, loan = lent
    shown = staff_client().post(
        f"/staff/catalog/items/{item.pk}/borrower/", {"reason": "returned_damaged"}
    )
    assert "Current borrower: Avery Lindqvist" in shown.content.decode()
    by_loan = AuditEntry.objects.get(action="circulation.borrower.reveal")
    assert (by_loan.object_id, by_loan.patron_id, by_loan.reason) == (
        str(loan.pk),
        None,
        "returned_damaged",
    )
    by_patron = AuditEntry.objects.get(action="patron.read", data_kind="current_borrower")
    assert (by_patron.patron_id, by_patron.reason) == (patron(AVERY).pk, "returned_damaged")
    log = client.get("/api/v1/me/access-log", **bearer(patron_token(AVERY))).json()
    assert "that you have an item: current borrower" in [e["what"] for e in log]


def test_the_service_takes_codes_only(lent):
    from libdesk.accounts.models import StaffUser, Workstation

    _, item, _ = lent
    clerk = StaffUser.objects.get(username="clerk")
    workstation = Workstation.objects.get(name="MAIN-DESK-1")
    with pytest.raises(CirculationError, match="from the list"):
        reveal_borrower(clerk, workstation, item, "damage claim by the patron")
    assert reveal_borrower(clerk, workstation, item, "damage_claim").card_number == AVERY
