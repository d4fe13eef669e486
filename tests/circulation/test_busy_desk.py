"""The desk on a busy afternoon, through HTTP: every scan leaves the box empty, a refusal
gives the clerk the staff reason and its alternatives as one-click actions, loans renew
selected or all, destructive actions ask first, and check-in keeps a running list with slips."""

import re
from datetime import timedelta
from html import unescape

import pytest

from libdesk.circulation import services
from libdesk.circulation.models import Hold, HoldStatus, Loan, PatronRequest
from libdesk.core import clock
from tests.conftest import AVERY, BEATRICE

pytestmark = pytest.mark.django_db


def serve(client, card: str = AVERY) -> str:
    response = client.post("/staff/desk/card/", {"card": card})
    assert response.status_code == 302
    return response["Location"]


def scan_box(html: str) -> str:
    """The scan box's tag as the page sends it."""
    (tag,) = re.findall(r'<input[^>]*id="id_barcode"[^>]*>', html)
    return tag


def lent_to_beatrice(shelf, desk, patron, title: str):
    """A title whose only copy here is out to someone else, with another at Keewatin."""
    record = shelf.record(title)
    copy = shelf.copy(record)
    shelf.copy(record, branch="KEEW", status="on_loan")
    services.checkout(desk(), patron(BEATRICE), copy.barcode)
    return record, copy


def test_the_scan_box_is_empty_after_a_refused_scan_and_after_a_granted_one(
    staff_client, shelf, desk, patron
):
    _, out = lent_to_beatrice(shelf, desk, patron, "Out already")
    ok = shelf.copy(shelf.record("On the shelf"))
    client = staff_client()
    page = serve(client)
    refused = client.post(f"{page}checkout/", {"barcode": out.barcode})
    assert refused.status_code == 409
    box = scan_box(refused.content.decode())
    assert "value=" not in box and "autofocus" in box  # the next scan is not appended
    # the refused barcode is kept only where an override would use it
    assert f'name="barcode" value="{out.barcode}"' in refused.content.decode()
    granted = client.post(f"{page}checkout/", {"barcode": ok.barcode})
    assert granted.status_code == 200
    assert "value=" not in scan_box(granted.content.decode())
    unknown = client.post(f"{page}checkout/", {"barcode": "no-such-copy"})
    assert unknown.status_code == 422
    html = unknown.content.decode()
    assert "value=" not in scan_box(html) and "no item has the barcode no-such-copy" in html
    assert 'aria-describedby="barcode-error"' in scan_box(html) and 'id="barcode-error"' in html


def test_a_refusal_shows_the_staff_reason_and_each_alternative_as_an_action(
    staff_client, shelf, desk, patron
):
    record, out = lent_to_beatrice(shelf, desk, patron, "Wanted by two")
    client = staff_client()
    page = serve(client)
    html = unescape(client.post(f"{page}checkout/", {"barcode": out.barcode}).content.decode())
    result = html[html.index('class="checkout-result"') :]
    # what the clerk can do about it first; the patron's words are there to read out
    staff_reason = "The item has an open loan to another card. Check it in first"
    patron_reason = "already checked out to someone else"
    assert staff_reason in result
    assert result.index(staff_reason) < result.index(patron_reason)
    assert "OP-02-01-01/timely-or-alternatives" in result
    hold_action = f'{page}loans/hold/"'
    request_action = f'{page}loans/request/"'
    assert hold_action in result and f'name="record_id" value="{record.pk}"' in result
    assert request_action in result and 'name="kind" value="ill"' in result
    assert "Place the hold" in result and "Start the interlibrary loan request" in result


def test_one_click_places_the_hold_offered(staff_client, shelf, desk, patron):
    record, _ = lent_to_beatrice(shelf, desk, patron, "Hold me")
    client = staff_client()
    page = serve(client)
    response = client.post(f"{page}loans/hold/", {"record_id": record.pk, "pickup_branch": "MAIN"})
    assert response.status_code == 200
    assert "Your hold is placed. You are number 1 in line." in unescape(response.content.decode())
    hold = Hold.objects.get(patron=patron(AVERY))
    assert (hold.record_id, hold.pickup_branch.code) == (record.pk, "MAIN")
    holds = unescape(response.content.decode())
    holds = holds[holds.index('id="holds-h"') :]
    assert "Hold me · Waiting · number 1 in line · Main" in holds


def test_one_click_starts_the_interlibrary_loan_request(staff_client, shelf, desk, patron):
    record, _ = lent_to_beatrice(shelf, desk, patron, "Borrow it from afar")
    client = staff_client()
    page = serve(client)
    response = client.post(f"{page}loans/request/", {"record_id": record.pk, "kind": "ill"})
    assert response.status_code == 200
    assert "Your request is in." in unescape(response.content.decode())
    made = PatronRequest.objects.get(patron=patron(AVERY))
    assert (made.kind, made.record_id, made.title) == ("ill", record.pk, "Borrow it from afar")
    assert "Borrow it from afar" in unescape(client.get(page).content.decode())
    bad = client.post(f"{page}loans/request/", {"record_id": record.pk, "kind": "steal"})
    assert bad.status_code == 302 and PatronRequest.objects.count() == 1


def _lend(shelf, desk, patron, *titles, days_ago: int = 7) -> list[Loan]:
    # A week ago, so a renewal adds time whatever the weekday: a due date on a closed day
    # moves to the next open one, so loans one day apart can fall due on the same day.
    with clock.travel_to(clock.now() - timedelta(days=days_ago)):
        return [
            services.checkout(desk(), patron(AVERY), shelf.copy(shelf.record(t)).barcode).loan
            for t in titles
        ]


def test_renew_selected_renews_only_those_chosen(staff_client, shelf, desk, patron):
    first, second, third = _lend(shelf, desk, patron, "One", "Two", "Three")
    client = staff_client()
    page = serve(client)
    response = client.post(f"{page}loans/renew-selected/", {"loan_id": [first.pk, third.pk]})
    assert response.status_code == 200
    renewed = {loan.pk: loan.renewals_used for loan in Loan.objects.all()}
    assert renewed == {first.pk: 1, second.pk: 0, third.pk: 1}
    html = unescape(response.content.decode())
    assert "One</strong>: Renewed, due" in html and "Three</strong>: Renewed, due" in html
    nothing = client.post(f"{page}loans/renew-selected/", {})
    assert nothing.status_code == 302
    assert "Select the loans to renew." in unescape(client.get(page).content.decode())


def test_renew_all_renews_each_and_says_which_was_refused(staff_client, shelf, desk, patron):
    free, wanted = _lend(shelf, desk, patron, "Nobody waits", "Someone waits")
    services.place_hold(
        desk(), patron(BEATRICE), pickup_branch=desk().branch, record=wanted.item.record
    )
    client = staff_client()
    page = serve(client)
    response = client.post(f"{page}loans/renew-all/")
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Nobody waits</strong>: Renewed, due" in html
    assert "Someone waits</strong>: " in html and "OP-02-01-01/equal-respect" in html
    assert Loan.objects.get(pk=free.pk).renewals_used == 1
    assert Loan.objects.get(pk=wanted.pk).renewals_used == 0


def test_renewing_another_patrons_loan_by_id_finds_nothing(staff_client, shelf, desk, patron):
    theirs = services.checkout(desk(), patron(BEATRICE), shelf.copy(shelf.record("B")).barcode)
    client = staff_client()
    page = serve(client)
    response = client.post(f"{page}loans/renew-selected/", {"loan_id": [theirs.loan.pk]})
    assert response.status_code == 200
    assert Loan.objects.get(pk=theirs.loan.pk).renewals_used == 0


def test_cancelling_a_hold_asks_first_and_works_without_javascript(
    staff_client, shelf, desk, patron
):
    record, _ = lent_to_beatrice(shelf, desk, patron, "Maybe later")
    hold, _ = services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    client = staff_client()
    page = serve(client)
    asked = client.post(f"{page}loans/cancel-hold/", {"hold_id": hold.pk})
    assert asked.status_code == 200
    html = unescape(asked.content.decode())
    assert "Cancel the hold on Maybe later?" in html
    assert 'name="confirm" value="1"' in html and f'name="hold_id" value="{hold.pk}"' in html
    assert f'action="{page}loans/cancel-hold/"' in html and f'href="{page}"' in html
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.WAITING
    done = client.post(f"{page}loans/cancel-hold/", {"hold_id": hold.pk, "confirm": "1"})
    assert done.status_code == 302
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.CANCELLED


def test_checkin_keeps_a_running_list_with_slips_for_the_hold_shelf_and_transit(
    staff_client, shelf, desk, patron
):
    held = shelf.record("For the hold shelf")
    to_shelf, to_keew, home = shelf.copy(held), shelf.copy(shelf.record("To Keewatin")), None
    home = shelf.copy(shelf.record("Back home"))
    for copy in (to_shelf, to_keew, home):
        services.checkout(desk(), patron(AVERY), copy.barcode)
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, record=held)
    services.place_hold(
        desk(), patron(BEATRICE), pickup_branch=desk("KEEW-DESK-1").branch, item=to_keew
    )
    client = staff_client()
    for copy in (to_shelf, to_keew, home):
        assert client.post("/staff/checkin/", {"barcode": copy.barcode}).status_code == 200
    html = unescape(client.get("/staff/checkin/").content.decode())
    log = html[html.index('class="checkin-log"') :]
    code = Hold.objects.get(record=held).pickup_code
    assert log.index("Back home") < log.index("To Keewatin") < log.index("For the hold shelf")
    assert f"hold shelf, slip {code}" in log and "in transit to Keewatin" in log
    assert f"/staff/checkin/slip/{to_shelf.barcode}/" in log
    assert f"/staff/checkin/slip/{to_keew.barcode}/" in log
    assert f"/staff/checkin/slip/{home.barcode}/" not in log
    slip = unescape(client.get(f"/staff/checkin/slip/{to_shelf.barcode}/").content.decode())
    assert code in slip and "For the hold shelf" in slip
    assert "Béatrice" not in slip and "Ouellet" not in slip and BEATRICE not in slip
    transit = unescape(client.get(f"/staff/checkin/slip/{to_keew.barcode}/").content.decode())
    assert "To Keewatin" in transit and "In transit" in transit
    assert client.get(f"/staff/checkin/slip/{home.barcode}/").status_code == 404
    assert 'href="/static/libdesk/css/print.css" media="print"' in slip
    client.post("/staff/checkin/", {"clear": "1"})
    assert "Nothing checked in yet." in client.get("/staff/checkin/").content.decode()
    # the list is this sign-in's: another member of staff starts with none
    assert "Nothing checked in yet." in staff_client().get("/staff/checkin/").content.decode()


def test_after_a_failed_checkin_scan_the_box_is_empty(staff_client):
    response = staff_client().post("/staff/checkin/", {"barcode": "nope"})
    assert response.status_code == 422
    assert "value=" not in scan_box(response.content.decode())


def test_the_serving_page_sums_up_the_patron_and_shows_its_shortcuts(
    staff_client, shelf, desk, patron
):
    _lend(shelf, desk, patron, "Late one", days_ago=60)
    client = staff_client()
    html = unescape(client.get(serve(client)).content.decode())
    summary = html[html.index('class="desk-summary"') : html.index('class="desk-work"')]
    assert "Avery Lindqvist" in summary and "valid until" in summary
    assert "1 overdue" in summary and "Nothing owing" in summary
    assert "Keyboard shortcuts" in html and "renew selected" in html
    for key in ("b", "s", "r", "n", "p", "x", "k", "q"):
        assert f'data-shortcut="{key}"' in html, key


def test_staff_search_the_catalogue_from_the_menu(staff_client):
    html = staff_client().get("/staff/").content.decode()
    assert re.search(
        r'<form class="staff-search" role="search" action="/search/" method="get">', html
    )
    assert 'name="q"' in html
