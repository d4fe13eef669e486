"""The staff client and the patron's account, through HTTP."""

from datetime import timedelta

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.circulation import services
from libdesk.circulation.models import Hold, Loan, LoanRule, Override, PatronRequest
from libdesk.core import clock
from tests.conftest import AVERY, BEATRICE, JORDAN, PINS, SAM

pytestmark = pytest.mark.django_db


def serve(client, card: str) -> str:
    response = client.post("/staff/desk/card/", {"card": card})
    assert response.status_code == 302
    return response["Location"]


def test_clerk_checks_out_two_items_one_refused_with_clause_and_alternatives(
    staff_client, shelf, desk, patron
):
    ok = shelf.copy(shelf.record("Easy to lend"))
    wanted_record = shelf.record("Hard to lend")
    wanted = shelf.copy(wanted_record)
    shelf.copy(wanted_record, branch="KEEW")
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, item=wanted)
    client = staff_client()
    page = serve(client, AVERY)
    granted = client.post(f"{page}checkout/", {"barcode": ok.barcode})
    assert granted.status_code == 200
    text = granted.content.decode()
    assert "Checked out. Due back on" in text and "Easy to lend" in text
    refused = client.post(f"{page}checkout/", {"barcode": wanted.barcode})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Refused" in text
    # the staff reason (what to do), not only the words for the patron
    assert "this copy belongs to the queue. Send it to the hold shelf by checking it in" in text
    assert "OP-02-01-01/equal-respect" in text
    assert "Keewatin" in text  # the other branch's copy is offered
    assert "interlibrary loan" in text
    assert Loan.objects.filter(closed_at__isnull=True).count() == 1


def test_override_at_the_desk_needs_a_note_and_is_recorded(staff_client, shelf):
    LoanRule.objects.filter(patron_category="child").update(max_items=0)
    item = shelf.copy(shelf.record("Child's book"))
    client = staff_client()
    page = serve(client, SAM)
    refused = client.post(f"{page}checkout/", {"barcode": item.barcode})
    assert refused.status_code == 409 and "Item limit reached" not in refused.content.decode()[:0]
    missing_note = client.post(
        f"{page}checkout/", {"barcode": item.barcode, "override_reason": "circumstances"}
    )
    assert missing_note.status_code == 422
    done = client.post(
        f"{page}checkout/",
        {
            "barcode": item.barcode,
            "override_reason": "circumstances",
            "override_note": "School project",
        },
    )
    assert done.status_code == 200 and "Checked out by staff decision" in done.content.decode()
    assert Override.objects.get().note == "School project"


def test_serving_page_lists_loans_and_renews_them(staff_client, shelf, desk, patron):
    item = shelf.copy(shelf.record("On Avery's card"))
    with clock.travel_to(clock.now() - timedelta(days=7)):  # a week ago: renewing adds time
        loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    client = staff_client()
    page = serve(client, AVERY)
    text = client.get(page).content.decode()
    assert "On Avery&#x27;s card" in text or "On Avery's card" in text
    renewed = client.post(f"{page}loans/renew/", {"loan_id": loan.pk})
    assert renewed.status_code == 200 and "Renewed" in renewed.content.decode()
    reads = AuditEntry.objects.filter(action="patron.read", patron_id=patron(AVERY).pk)
    assert {"loans", "holds", "fees"} <= set(reads.values_list("data_kind", flat=True))


def test_another_patrons_loan_cannot_be_touched_from_a_serving_page(
    staff_client, shelf, desk, patron
):
    item = shelf.copy(shelf.record("Not yours"))
    loan = services.checkout(desk(), patron(BEATRICE), item.barcode).loan
    client = staff_client()
    page = serve(client, AVERY)
    assert client.post(f"{page}loans/renew/", {"loan_id": loan.pk}).status_code == 404


def test_checkin_page_routes_to_the_hold_shelf(staff_client, shelf, desk, patron):
    record = shelf.record("Returning")
    item = shelf.copy(record)
    services.checkout(desk(), patron(AVERY), item.barcode)
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record)
    client = staff_client()
    response = client.post("/staff/checkin/", {"barcode": item.barcode})
    text = response.content.decode()
    code = Hold.objects.get().pickup_code
    assert f"Put on the hold shelf with slip {code}" in text
    assert "Béatrice" not in text and "Ouellet" not in text and "0002" not in text
    shelf_page = client.get("/staff/holds/").content.decode()
    assert code in shelf_page and "Ouellet" not in shelf_page
    unknown = client.post("/staff/checkin/", {"barcode": "nope"})
    assert unknown.status_code == 422 and "no item has the barcode nope" in unknown.content.decode()


def test_pull_list_shows_shelf_copies_that_holds_need(staff_client, shelf, desk, patron):
    record = shelf.record("Pull me")
    item = shelf.copy(record)
    services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    text = staff_client().get("/staff/holds/").content.decode()
    assert item.barcode in text and "Avery" not in text


def test_guardian_at_the_desk_sees_the_childs_loans(staff_client, shelf, desk, patron):
    item = shelf.copy(shelf.record("Sam reads this"))
    services.checkout(desk(), patron(SAM), item.barcode)
    client = staff_client()
    response = client.post(
        "/staff/desk/guardian/",
        {"child_card": SAM, "guardian_card": JORDAN, "basis": "guardian_with_child_card"},
    )
    text = client.get(response["Location"]).content.decode()
    assert "Sam reads this" in text
    assert AuditEntry.objects.filter(action="patron.read.guardian", data_kind="loans").exists()


def patron_client(client, card):
    response = client.post("/account/sign-in/", {"card": card, "pin": PINS[card]})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_patron_places_a_hold_sees_position_suspends_and_cancels(client, shelf, desk, patron):
    record = shelf.record("Hold from the web")
    item = shelf.copy(record)
    services.checkout(desk(), patron(JORDAN), item.barcode)
    services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    patron_client(client, BEATRICE)
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "Réserver" in page
    placed = client.post("/account/holds/new/", {"record_id": record.pk, "pickup_branch": "KEEW"})
    assert placed.status_code == 200
    assert "numéro 2 dans la file" in placed.content.decode()  # Béatrice reads French
    account = client.get("/account/").content.decode()
    assert "Hold from the web" in account and "numéro 2 dans la file" in account
    hold = Hold.objects.get(patron=patron(BEATRICE))
    until = (clock.today() + timedelta(days=10)).isoformat()
    client.post("/account/loans/suspend-hold/", {"hold_id": hold.pk, "until": until})
    hold.refresh_from_db()
    assert hold.status == "suspended"
    avery_hold = Hold.objects.get(patron=patron(AVERY))
    assert client.post("/account/loans/cancel-hold/", {"hold_id": avery_hold.pk}).status_code == 404
    client.post("/account/loans/cancel-hold/", {"hold_id": hold.pk})
    hold.refresh_from_db()
    assert hold.status == "cancelled"


def test_patron_holds_one_particular_copy_from_the_record_page(client, shelf, desk, patron):
    record = shelf.record("Two copies, one wanted")
    near, far = shelf.copy(record, "MAIN"), shelf.copy(record, "KEEW")
    services.checkout(desk(), patron(JORDAN), near.barcode)
    services.checkout(desk(), patron(BEATRICE), far.barcode)
    patron_client(client, AVERY)
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "Any copy: the first one back" in page and far.barcode in page
    both = client.post(
        "/account/holds/new/",
        {"record_id": record.pk, "copy": far.barcode, "any_edition": "on", "pickup_branch": "MAIN"},
    )
    assert both.status_code == 422
    assert "Choose one copy or any edition, not both." in both.content.decode()
    stranger = client.post(
        "/account/holds/new/",
        {"record_id": record.pk, "copy": "99999999999999", "pickup_branch": "MAIN"},
    )
    assert stranger.status_code == 422 and not Hold.objects.exists()
    placed = client.post(
        "/account/holds/new/",
        {"record_id": record.pk, "copy": far.barcode, "pickup_branch": "MAIN"},
    )
    assert placed.status_code == 200 and "number 1 in line" in placed.content.decode()
    hold = Hold.objects.get(patron=patron(AVERY))
    assert hold.item_id == far.pk and hold.work_id is None
    assert services.checkin(desk(), near.barcode).hold is None  # another copy: not this hold's
    assert services.checkin(desk(), far.barcode).hold == hold


def test_patron_renews_from_the_account_and_sees_refusals_explained(client, shelf, desk, patron):
    record = shelf.record("Renew online")
    item = shelf.copy(record)
    today = clock.now()
    with clock.travel_to(today - timedelta(days=7)):  # a week ago: renewing adds time
        loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    with clock.travel_to(today - timedelta(days=1)):
        patron_client(client, AVERY)
        assert "Renew online" in client.get("/account/").content.decode()
        renewed = client.post("/account/loans/renew/", {"loan_id": loan.pk})
        assert renewed.status_code == 200 and "Renewed" in renewed.content.decode()
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record)
    patron_client(client, AVERY)
    refused = client.post("/account/loans/renew/", {"loan_id": loan.pk})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Someone is waiting for this item" in text and "Ask why this policy exists" in text


def test_patron_asks_for_an_interlibrary_loan(client, demo_library):
    patron_client(client, AVERY)
    form = client.get("/account/requests/new/")
    assert form.status_code == 200
    sent = client.post("/account/requests/new/", {"kind": "ill", "title": "Obscure monograph"})
    assert sent.status_code == 200 and "handled in the order they arrive" in sent.content.decode()
    assert PatronRequest.objects.get().title == "Obscure monograph"
    assert "Obscure monograph" in client.get("/account/").content.decode()


def test_staff_handle_requests_in_order(staff_client, demo_library, desk, patron):
    from libdesk.circulation import services

    made, _ = services.submit_request(
        desk(), patron(AVERY), kind="purchase", pickup_branch=desk().branch, title="Buy me"
    )
    client = staff_client()
    assert "Buy me" in client.get("/staff/requests/").content.decode()
    client.post(f"/staff/requests/{made.pk}/", {"status": "fulfilled", "staff_note": "Ordered"})
    made.refresh_from_db()
    assert made.status == "fulfilled" and made.closed_at is not None


def test_rules_are_edited_by_the_head_librarian_only(staff_client, demo_library):
    rule = LoanRule.objects.get(patron_category="child")
    head = staff_client("head")
    response = head.post(
        f"/staff/rules/{rule.pk}/",
        {
            "patron_category": "child",
            "material_type": "",
            "branch": "",
            "loan_days": 14,
            "renewals": 2,
            "max_items": 20,
            "max_holds": 10,
            "fine_per_day": "0",
            "fine_cap": "0",
            "lost_charge": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.loan_days == 14
    assert staff_client().get(f"/staff/rules/{rule.pk}/").status_code == 403
    listing = staff_client().get("/staff/rules/").content.decode()
    assert "14 days" in listing


def test_reports_show_figures_without_patrons(staff_client, shelf, desk, patron):
    item = shelf.copy(shelf.record("Counted"))
    services.checkout(desk(), patron(AVERY), item.barcode)
    services.checkin(desk(), item.barcode)
    text = staff_client().get("/staff/reports/").content.decode()
    assert "Avery" not in text and AVERY not in text
    assert 'class="total-checkout">1<' in text and 'class="total-checkin">1<' in text
    for odd in ("99999999999", "-3", "abc", "0"):
        assert staff_client().get("/staff/reports/", {"days": odd}).status_code == 200


def test_record_page_says_on_loan_due_and_nothing_more(client, shelf, desk, patron):
    record = shelf.record("Who has it")
    item = shelf.copy(record)
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    text = client.get(f"/records/{record.pk}/").content.decode()
    assert "On loan" in text and loan.due.strftime("%Y") in text
    assert "Avery" not in text and "Lindqvist" not in text
    assert "interlibrary loan" in text.lower()  # alternatives for a title not on the shelf


def test_checkout_receipt_printed_or_emailed(
    staff_client, shelf, django_capture_on_commit_callbacks
):
    from django.core import mail

    item = shelf.copy(shelf.record("Receipt title"))
    client = staff_client()
    page = serve(client, AVERY)
    client.post(f"{page}checkout/", {"barcode": item.barcode})
    slip = client.get(f"{page}receipt/").content.decode()
    assert "Receipt title" in slip and "card ending 0001" in slip and AVERY not in slip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{page}receipt/")
    assert mail.outbox[-1].to == ["avery@example.org"]
    assert "Receipt title" in mail.outbox[-1].body


def test_payment_shows_its_receipt_number(staff_client, shelf, desk, patron):
    from decimal import Decimal

    from libdesk.circulation.models import Fee

    fee = Fee.objects.create(
        patron=patron(AVERY),
        kind="damage",
        amount=Decimal("3.00"),
        balance=Decimal("3.00"),
        created_at=clock.now(),
    )
    client = staff_client()
    page = serve(client, AVERY)
    response = client.post(
        f"{page}loans/pay/", {"fee_id": fee.pk, "amount": "3.00", "method": "cash"}
    )
    text = response.content.decode()
    fee.refresh_from_db()
    assert fee.balance == 0 and fee.closed_at is not None
    assert f"Receipt number {fee.payments.get().receipt}" in text


def test_staff_item_page_cannot_fake_a_loan_and_withdraws(staff_client, shelf, desk, patron):
    record = shelf.record("Catalogued")
    item = shelf.copy(record)
    client = staff_client()
    fields = {
        f"i{item.pk}-branch": "MAIN",
        f"i{item.pk}-location": "",
        f"i{item.pk}-call_number": "1",
        f"i{item.pk}-collection": "",
        f"i{item.pk}-status": "on_loan",
    }
    client.post(f"/staff/catalog/items/{item.pk}/", fields)
    item.refresh_from_db()
    assert item.status == "available"
    hold, _ = services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, item=item)
    other = shelf.copy(record, status="on_loan")
    client.post(f"/staff/catalog/items/{item.pk}/withdraw/")
    item.refresh_from_db()
    hold.refresh_from_db()
    assert item.status == "withdrawn"
    assert hold.item_id is None and hold.record_id == record.pk and hold.status == "waiting"
    assert other.pk


def test_revealing_a_borrower_needs_a_reason_and_shows_in_their_access_log(
    staff_client, client, shelf, desk, patron, patron_token
):
    from tests.conftest import bearer

    record = shelf.record("Damaged on return")
    item = shelf.copy(record)
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    clerk = staff_client()
    page = clerk.get(f"/staff/catalog/records/{record.pk}/").content.decode()
    assert "Avery" not in page and "Who has it?" in page
    refused = clerk.post(f"/staff/catalog/items/{item.pk}/borrower/", {"reason": ""}, follow=True)
    assert "Avery" not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="circulation.borrower.reveal").exists()
    typed = clerk.post(f"/staff/catalog/items/{item.pk}/borrower/", {"reason": "damage claim"})
    assert "Avery" not in typed.content.decode()  # typed words are not a reason from the list
    shown = clerk.post(f"/staff/catalog/items/{item.pk}/borrower/", {"reason": "damage_claim"})
    assert "Current borrower: Avery Lindqvist" in shown.content.decode()
    by_loan = AuditEntry.objects.get(action="circulation.borrower.reveal")
    assert (by_loan.object_id, by_loan.patron_id) == (str(loan.pk), None)
    by_patron = AuditEntry.objects.get(action="patron.read", data_kind="current_borrower")
    assert by_patron.patron_id == patron(AVERY).pk
    assert (by_patron.object_type, by_patron.object_id) == ("patron", str(patron(AVERY).pk))
    log = client.get("/api/v1/me/access-log", **bearer(patron_token(AVERY))).json()
    assert "current_borrower" in [e["data_kind"] for e in log]
