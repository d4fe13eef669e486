"""Every refusal is a Decision with the clause whose words it uses, in both languages, and the
renewal rules a librarian and a patron expect (issue 10, deliverable 7). Through the JSON API
(patron tokens, and staff in a serving context) and the staff item page; a settled fee or an
ended loan is not found at any door (the selectors serve open ones only), so their refusals,
which answer a second click racing the first, are asserted on the service."""

from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.catalog.items import ItemError, update_item
from libdesk.circulation import services
from libdesk.circulation.desk import Desk, OverrideRequest
from libdesk.circulation.models import CirculationCount, Fee, Hold, Loan, LoanRule, Override
from libdesk.core import clock
from libdesk.core.decisions import Refused
from tests.conftest import AVERY, BEATRICE, JORDAN, bearer
from tests.long_dates import french

pytestmark = pytest.mark.django_db

FAVOUR = "OP-02-01-01/patrons-favour"
FOR_ALL = "OP-02-01-01/equal-consideration"
QUEUE = "OP-02-01-01/equal-respect"
ALTERNATIVES = "OP-02-01-01/timely-or-alternatives"
EXPLAINED = "OP-02-01-01/policies-explained"
GOODWILL = {"reason": "circumstances", "note": "Patron is in hospital this month"}
WEEK = 7
"""Lent this many days ago, a loan renewed today falls due later whatever the weekday: a due
date on a closed day moves to the next open one, so loans lent one day apart can fall due on
the same day, and the renewal would add nothing."""


def post(client, path, body, headers, language="en"):
    return client.post(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
        **headers,
    )


def clause_ids(decision: dict) -> list[str]:
    return [clause["id"] for clause in decision["clauses"]]


def kinds(decision: dict) -> list[str]:
    return [alternative["kind"] for alternative in decision["alternatives"]]


@pytest.fixture
def lend(client, staff_token, serving):
    """Check a copy out to a patron over the API, from a desk serving them, on `day`."""

    def checkout(item, card=AVERY, *, days_ago: int = 0, override=None):
        with clock.travel_to(clock.now() - timedelta(days=days_ago)):
            body = {"item_barcode": item.barcode}
            if override:
                body["override"] = override
            return post(client, "/circulation/checkout", body, serving(staff_token(), card))

    return checkout


def loan_due(answer) -> date:
    return date.fromisoformat(answer.json()["due"])


def renew(client, item, token, language="en", **extra):
    return post(
        client,
        "/circulation/renew",
        {"item_barcode": item.barcode, **extra},
        bearer(token),
        language,
    )


def test_a_granted_checkout_cites_no_clause(shelf, lend):
    answer = lend(shelf.copy(shelf.record("Granted")))
    assert answer.status_code == 201, answer.content
    decision = answer.json()["decision"]
    assert (decision["code"], decision["clauses"]) == ("checkout_granted", [])
    assert decision["ask_why_url"] == "/ask-why/"


def test_renewing_on_the_day_of_checkout_is_refused_and_uses_no_renewal(
    client, shelf, lend, patron_token
):
    item = shelf.copy(shelf.record("Same day"))
    lend(item)
    loan = Loan.objects.get(item=item)
    answer = renew(client, item, patron_token(AVERY), "fr")
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert decision["code"] == "renewal_would_not_extend"
    assert clause_ids(decision) == [FAVOUR]
    assert decision["reason"].startswith("Renouveler aujourd'hui n'ajouterait aucun jour")
    assert french(loan.due) in decision["reason"]  # in words, as the API's reader says it
    assert loan.due.isoformat() not in decision["reason"]
    # The day it names is the first a renewal moves the due date (a closed day after the
    # loan period may have moved it later already).
    renew_from = max(clock.today() + timedelta(days=1), loan.due - timedelta(days=20))
    assert f"à partir du {french(renew_from)}" in decision["reason"]
    loan.refresh_from_db()
    assert loan.renewals_used == 0
    assert not AuditEntry.objects.filter(action="circulation.renew").exists()
    assert not CirculationCount.objects.filter(event="renewal").exists()
    with clock.travel_to(renew_from - timedelta(days=1)):
        assert renew(client, item, patron_token(AVERY)).status_code == 409
    with clock.travel_to(renew_from):
        later = renew(client, item, patron_token(AVERY))
    assert later.status_code == 200 and later.json()["due"] > loan.due.isoformat()


def test_a_loan_renewed_today_answers_granted_again_and_counts_once(
    client, shelf, lend, patron_token
):
    item = shelf.copy(shelf.record("Twice a day"))
    lend(item, days_ago=WEEK)
    token = patron_token(AVERY)
    first = renew(client, item, token)
    again = renew(client, item, token, "fr")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["decision"]["code"] == "renewal_granted"
    decision = again.json()["decision"]
    assert (decision["code"], decision["outcome"], decision["clauses"]) == (
        "already_renewed",
        "allowed",
        [],
    )
    assert again.json()["due"] == first.json()["due"]  # the field keeps ISO 8601
    assert decision["reason"].startswith(
        f"Déjà renouvelé : ce document est à rendre le {french(loan_due(again))}"
    )
    loan = Loan.objects.get(item=item)
    assert loan.renewals_used == 1
    assert AuditEntry.objects.filter(action="circulation.renew").count() == 1
    assert CirculationCount.objects.get(event="renewal").count == 1


def test_renewed_today_then_extended_by_a_clerk_is_still_already_renewed(
    client, shelf, lend, patron_token, desk
):
    """The loan keeps the day of its renewal, so a clerk's extension later that day does not
    turn the patron's retry into "would not extend"; the next day it renews again."""
    from libdesk.circulation import services
    from libdesk.circulation.desk import OverrideRequest

    item = shelf.copy(shelf.record("Renewed and extended"))
    lend(item, days_ago=WEEK)
    token = patron_token(AVERY)
    assert renew(client, item, token).json()["decision"]["code"] == "renewal_granted"
    loan = Loan.objects.get(item=item)
    extended = loan.due + timedelta(days=30)
    services.extend_due(desk(), loan, extended, OverrideRequest("circumstances", "travelling"))
    again = renew(client, item, token)
    assert again.json()["decision"]["code"] == "already_renewed"
    assert again.json()["due"] == extended.isoformat()
    assert Loan.objects.get(item=item).renewals_used == 1


def test_the_renewal_limit_offers_staff_time_and_another_copy_or_edition(
    client, shelf, lend, patron_token
):
    LoanRule.objects.update(renewals=0)
    record = shelf.record("Out of renewals", year=2001)
    item, spare = shelf.copy(record), shelf.copy(record)
    shelf.copy(shelf.record("Out of renewals", year=2019, form="d"))  # another edition
    lend(item, days_ago=WEEK)
    answer = renew(client, item, patron_token(AVERY), "fr")
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert decision["code"] == "renewal_limit"
    assert decision["clauses"] == [
        {"id": FOR_ALL, "title": "Le meilleur service pour tous"},
        {"id": ALTERNATIVES, "title": "À temps, ou une solution de rechange"},
    ]
    assert kinds(decision) == ["referral", "other_copy", "other_format"]
    assert decision["alternatives"][0]["label"].startswith("Demandez plus de temps au personnel")
    assert decision["alternatives"][1]["item_barcode"] == spare.barcode
    assert "afin que chacun ait son tour" in decision["reason"]


def test_a_renewal_override_answers_a_renewal_code(client, shelf, lend, staff_token, serving):
    LoanRule.objects.update(renewals=0)
    item = shelf.copy(shelf.record("Staff give more time"))
    lend(item, days_ago=WEEK)
    body = {"item_barcode": item.barcode, "override": GOODWILL}
    answer = post(client, "/circulation/renew", body, serving(staff_token(), AVERY), "fr")
    assert answer.status_code == 200, answer.content
    decision = answer.json()["decision"]
    assert (decision["code"], decision["outcome"]) == ("renewal_overridden", "overridden")
    assert clause_ids(decision) == [FAVOUR]
    assert decision["reason"].startswith("Renouvelé par décision du personnel.")
    override = Override.objects.get()
    assert (override.kind, override.refusal_code) == ("renewal_block", "renewal_limit")


def test_an_override_asked_with_a_patron_token_is_refused_not_ignored(
    client, shelf, lend, patron_token
):
    LoanRule.objects.update(renewals=0)
    item = shelf.copy(shelf.record("Patrons cannot override"))
    lend(item, days_ago=WEEK)
    answer = renew(client, item, patron_token(AVERY), "fr", override=GOODWILL)
    assert answer.status_code == 403
    decision = answer.json()["decision"]
    assert decision["code"] == "override_not_permitted"
    assert clause_ids(decision) == [FAVOUR]
    assert kinds(decision) == ["referral"]
    assert decision["reason"].startswith("Seul le personnel d'un comptoir peut décider")
    assert Loan.objects.get(item=item).renewals_used == 0
    assert not Override.objects.exists()


def test_an_override_for_a_refusal_no_judgment_can_lift_is_refused_naming_it(client, shelf, lend):
    record = shelf.record("Lent to someone else")
    item = shelf.copy(record)
    shelf.copy(record, branch="KEEW")
    assert lend(item, BEATRICE).status_code == 201
    answer = lend(item, AVERY, override=GOODWILL)
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert decision["code"] == "not_overridable"
    assert clause_ids(decision) == [FAVOUR, ALTERNATIVES]
    assert kinds(decision)[0] == "other_branch" and "ill" in kinds(decision)
    assert decision["reason"] == (
        "This copy is already checked out to someone else and cannot be lent twice. "
        "This is not something staff can set aside."
    )
    assert not Override.objects.exists()
    assert Loan.objects.filter(item=item).count() == 1


def test_no_loan_rule_for_an_item_is_a_decision_for_checkout_and_holds(
    client, shelf, lend, patron_token
):
    LoanRule.objects.all().delete()
    record = shelf.record("No terms yet")
    item = shelf.copy(record)
    answer = lend(item)
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert (decision["code"], clause_ids(decision)) == ("no_loan_rule", [EXPLAINED])
    assert decision["staff_reason"].startswith("No loan rule covers Adult patrons and Book.")
    hold = post(
        client,
        "/holds",
        {"record_id": record.pk, "pickup_branch": "MAIN"},
        bearer(patron_token(AVERY)),
        "fr",
    )
    assert hold.status_code == 409
    decision = hold.json()["decision"]
    assert decision["code"] == "no_loan_rule"  # not "0 holds, the most allowed (0)"
    assert "bibliothécaire en chef" in decision["reason"] and "(Livre)" in decision["reason"]
    assert not Loan.objects.exists() and not Hold.objects.exists()


def test_the_item_limit_cites_optimum_service_for_all(shelf, lend):
    LoanRule.objects.update(max_items=0)
    answer = lend(shelf.copy(shelf.record("One too many")))
    decision = answer.json()["decision"]
    assert (answer.status_code, decision["code"]) == (409, "too_many_items")
    assert decision["clauses"] == [{"id": FOR_ALL, "title": "Optimum service for all"}]


def test_the_hold_limit_cites_optimum_service_for_all(client, shelf, patron_token):
    LoanRule.objects.update(max_holds=0)
    record = shelf.record("No more holds")
    shelf.copy(record, status="on_loan")
    body = {"record_id": record.pk, "pickup_branch": "MAIN"}
    answer = post(client, "/holds", body, bearer(patron_token(AVERY)), "fr")
    decision = answer.json()["decision"]
    assert (answer.status_code, decision["code"], clause_ids(decision)) == (
        409,
        "hold_limit",
        [FOR_ALL],
    )
    assert "afin que chacun ait son tour" in decision["reason"]


def test_a_duplicate_hold_offers_what_can_be_had_now(client, shelf, patron_token):
    record = shelf.record("Already waiting")
    shelf.copy(record, status="on_loan")
    token = patron_token(AVERY)
    body = {"record_id": record.pk, "pickup_branch": "MAIN"}
    assert post(client, "/holds", body, bearer(token)).status_code == 201
    shelf.copy(record, branch="KEEW")  # a copy comes back at Keewatin
    answer = post(client, "/holds", body, bearer(token), "fr")
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert decision["code"] == "hold_duplicate"
    assert clause_ids(decision) == [QUEUE, ALTERNATIVES]
    assert kinds(decision) == ["other_branch", "ill"]  # no second place in the same line
    assert decision["alternatives"][0]["branch"] == "KEEW"
    assert decision["reason"].startswith("Vous avez déjà une réservation pour ce titre")
    assert Hold.objects.count() == 1


def test_cancelling_a_hold_again_says_it_has_ended(client, shelf, lend, patron_token):
    record = shelf.record("Cancelled already")
    shelf.copy(record, status="on_loan")
    token = patron_token(AVERY)
    hold_id = post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, bearer(token)
    ).json()["id"]
    assert client.delete(f"/api/v1/holds/{hold_id}", **bearer(token)).status_code == 200
    answer = client.delete(f"/api/v1/holds/{hold_id}", HTTP_ACCEPT_LANGUAGE="fr", **bearer(token))
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert (decision["code"], clause_ids(decision)) == ("hold_ended", [QUEUE])
    assert decision["reason"].startswith("Cette réservation est déjà terminée (Annulée)")
    assert Hold.objects.get(pk=hold_id).status == "cancelled"


def test_a_filled_hold_is_no_longer_the_patrons_to_see(client, shelf, lend, patron_token):
    """It became a loan: the hold kept nothing of the patron (PRIVACY.md), so asking about it
    again finds nothing, as for anyone else's."""
    record = shelf.record("Picked up already")
    item = shelf.copy(record, status="on_loan")
    token = patron_token(AVERY)
    hold_id = post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, bearer(token)
    ).json()["id"]
    item.status = "available"
    item.save()
    assert lend(item).status_code == 201  # fills the hold
    assert client.delete(f"/api/v1/holds/{hold_id}", **bearer(token)).status_code == 404
    assert Hold.objects.get(pk=hold_id).status == "fulfilled"


def test_suspending_a_hold_with_a_copy_on_the_shelf_is_refused(
    client, shelf, desk, patron, patron_token
):
    record = shelf.record("Waiting on the shelf")
    item = shelf.copy(record)
    services.checkout(desk(), patron(JORDAN), item.barcode)
    token = patron_token(AVERY)
    hold_id = post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, bearer(token)
    ).json()["id"]
    services.checkin(desk(), item.barcode)  # set aside for Avery at Main
    answer = post(client, f"/holds/{hold_id}/suspend", {"until": None}, bearer(token), "fr")
    assert answer.status_code == 409
    decision = answer.json()["decision"]
    assert (decision["code"], clause_ids(decision)) == ("hold_set_aside", [QUEUE])
    assert "(Prête à retirer)" in decision["reason"]
    assert Hold.objects.get(pk=hold_id).status == "ready"


def test_resuming_a_hold_that_waits_already_changes_nothing(client, shelf, patron_token):
    record = shelf.record("Already in line")
    shelf.copy(record, status="on_loan")
    token = patron_token(AVERY)
    hold_id = post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, bearer(token)
    ).json()["id"]
    answer = post(client, f"/holds/{hold_id}/resume", {}, bearer(token))
    assert (answer.status_code, answer.json()["status"]) == (200, "waiting")
    assert not AuditEntry.objects.filter(action="circulation.hold.resume").exists()


# The staff item page (the catalogue's door) renders the refusal as a page.


def test_withdrawing_a_copy_on_loan_is_refused_with_its_clause(staff_client, shelf, desk, patron):
    item = shelf.copy(shelf.record("Still out"))
    services.checkout(desk(), patron(AVERY), item.barcode)
    page = staff_client().post(
        f"/staff/catalog/items/{item.pk}/withdraw/", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert page.status_code == 409
    text = unescape(page.content.decode())
    assert "Cet exemplaire est en prêt : son emprunteur le garde" in text
    assert f"({FAVOUR})" in text
    item.refresh_from_db()
    assert item.status == "on_loan" and Loan.objects.get(item=item).is_open


def test_a_status_circulation_owns_is_refused_on_the_item_page(staff_client, shelf):
    item = shelf.copy(shelf.record("Catalogued copy"))
    fields = {"branch": "MAIN", "location": "", "call_number": "1", "collection": ""}
    form = {f"i{item.pk}-{name}": value for name, value in fields.items()}
    page = staff_client().post(
        f"/staff/catalog/items/{item.pk}/",
        {**form, f"i{item.pk}-status": "on_loan"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert page.status_code == 409
    text = unescape(page.content.decode())
    assert "Le statut de cet exemplaire (Disponible) suit ses prêts" in text
    assert "(OP-02-01-01/purpose)" in text
    item.refresh_from_db()
    assert item.status == "available"


def test_item_form_values_that_are_no_status_or_branch_name_their_field(shelf, desk):
    item = shelf.copy(shelf.record("Typo"))
    fields = {"location": "", "call_number": "1", "collection": ""}
    for bad, field in (
        ({"status": "borrowed", "branch": "MAIN"}, "status"),
        ({"status": "available", "branch": "NOPE"}, "branch"),
    ):
        with pytest.raises(ItemError) as error:
            update_item(desk().staff, _workstation(), item, **fields, **bad)
        assert error.value.field == field


def test_paying_or_waiving_a_settled_fee_is_refused(shelf, desk, patron):
    fee = Fee.objects.create(
        patron=patron(AVERY),
        kind="damage",
        amount=Decimal("2"),
        balance=Decimal("2"),
        created_at=clock.now(),
    )
    services.pay(desk(), fee, Decimal("2"))
    note = OverrideRequest("circumstances", "Paid twice by mistake")
    for second_click in (
        lambda: services.pay(desk(), fee, Decimal("1")),
        lambda: services.waive(desk(), fee, Decimal("1"), note),
    ):
        with pytest.raises(Refused) as refused:
            second_click()
        assert refused.value.decision.code == "fee_settled"
        assert refused.value.decision.clauses == (FAVOUR,)
    assert fee.payments.count() == 1


def test_a_waiver_asked_away_from_a_desk_is_refused(shelf, desk, patron):
    fee = Fee.objects.create(
        patron=patron(AVERY),
        kind="damage",
        amount=Decimal("2"),
        balance=Decimal("2"),
        created_at=clock.now(),
    )
    kiosk = Desk.self_service(desk().branch)
    with pytest.raises(Refused) as refused:
        services.waive(kiosk, fee, Decimal("2"), OverrideRequest("circumstances", "Kiosk"))
    assert (refused.value.decision.code, refused.value.status) == ("override_not_permitted", 403)
    fee.refresh_from_db()
    assert fee.balance == Decimal("2")


def test_changing_an_ended_loan_says_it_has_ended(shelf, desk, patron):
    item = shelf.copy(shelf.record("Back already"))
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    services.checkin(desk(), item.barcode)
    note = OverrideRequest("circumstances", "Too late")
    for change in (
        lambda: services.mark_lost(desk(), loan),
        lambda: services.claim_returned(desk(), loan),
        lambda: services.extend_due(desk(), loan, loan.due + timedelta(days=7), note),
    ):
        with pytest.raises(Refused) as refused:
            change()
        decision = refused.value.decision.as_json("fr")
        assert (decision["code"], clause_ids(decision)) == ("loan_ended", [EXPLAINED])
        assert decision["reason"].startswith("Ce prêt est déjà terminé (Rendu)")


def _workstation():
    from libdesk.accounts.models import Workstation

    return Workstation.objects.get(name="MAIN-DESK-1")
