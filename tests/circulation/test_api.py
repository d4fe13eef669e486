"""Circulation through its JSON door: shapes, refusals as 409 Decisions, idempotency keys."""

import re
from datetime import timedelta

import pytest

from libdesk.circulation.models import Hold, Loan
from libdesk.core import clock
from tests.conftest import AVERY, BEATRICE, SAM, bearer

pytestmark = pytest.mark.django_db


def post(client, path, body, auth, **headers):
    """POST as a token (a patron's, or staff where no patron is named) or with the headers of a
    serving context (staff acting for the patron being served)."""
    auth = bearer(auth) if isinstance(auth, str) else auth
    return client.post(f"/api/v1{path}", body, content_type="application/json", **auth, **headers)


def test_checkout_answers_201_with_the_loan(client, shelf, staff_token, serving):
    item = shelf.copy(shelf.record("Checkout shape"))
    response = post(
        client,
        "/circulation/checkout",
        {"item_barcode": item.barcode},
        serving(staff_token(), AVERY),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    loan = Loan.objects.get(pk=body["loan_id"])
    assert body["item_barcode"] == item.barcode
    assert body["record_id"] == item.record_id
    assert body["due"] == loan.due.isoformat()
    assert body["decision"]["code"] == "checkout_granted"
    item.refresh_from_db()
    assert item.status == "on_loan"


def test_a_refusal_is_409_with_clause_reason_and_alternatives(client, shelf, staff_token, serving):
    record = shelf.record("Refused title")
    first, second = shelf.copy(record), shelf.copy(record, branch="KEEW")
    token = staff_token()
    post(
        client,
        "/circulation/checkout",
        {"item_barcode": first.barcode},
        serving(token, AVERY),
    )
    response = post(
        client,
        "/circulation/checkout",
        {"item_barcode": first.barcode},
        serving(token, BEATRICE),
    )
    assert response.status_code == 409
    decision = response.json()["decision"]
    assert decision["code"] == "item_on_loan"
    assert decision["clauses"][0]["id"] == "OP-02-01-01/timely-or-alternatives"
    kinds = [a["kind"] for a in decision["alternatives"]]
    assert kinds[0] == "other_branch"  # the copy at Keewatin comes first
    assert decision["alternatives"][0]["branch"] == "KEEW"
    assert "hold" in kinds and "ill" in kinds
    assert second.barcode  # the other copy is still on the shelf
    assert Loan.objects.filter(item=first).count() == 1


def test_unknown_barcode_is_422_and_a_missing_serving_context_names_the_header(
    client, shelf, staff_token, serving
):
    item = shelf.copy(shelf.record("Field errors"))
    token = staff_token()
    response = post(client, "/circulation/checkout", {"item_barcode": "nope"}, serving(token))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "item_barcode"]
    response = post(client, "/circulation/checkout", {"item_barcode": item.barcode}, token)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "X-Serving-Context"]
    assert not Loan.objects.exists()


def test_idempotency_key_replays_the_first_answer_without_a_second_loan(
    client, shelf, staff_token, serving
):
    item = shelf.copy(shelf.record("Retry me"))
    token = staff_token()
    avery = serving(token, AVERY)
    body = {"item_barcode": item.barcode}
    first = post(client, "/circulation/checkout", body, avery, HTTP_IDEMPOTENCY_KEY="scan-1")
    again = post(client, "/circulation/checkout", body, avery, HTTP_IDEMPOTENCY_KEY="scan-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Loan.objects.filter(item=item).count() == 1
    beatrice = serving(token, BEATRICE)
    reused = post(client, "/circulation/checkout", body, beatrice, HTTP_IDEMPOTENCY_KEY="scan-1")
    assert reused.status_code == 422
    assert reused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_a_refusal_is_replayed_too(client, shelf, staff_token, serving):
    item = shelf.copy(shelf.record("Refused twice"), status="library_use")
    avery = serving(staff_token(), AVERY)
    body = {"item_barcode": item.barcode}
    first = post(client, "/circulation/checkout", body, avery, HTTP_IDEMPOTENCY_KEY="k")
    item.status = "available"
    item.save()
    again = post(client, "/circulation/checkout", body, avery, HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == again.status_code == 409
    assert first.json() == again.json()
    assert not Loan.objects.exists()


def test_a_double_scan_without_a_key_makes_no_second_loan(client, shelf, staff_token, serving):
    item = shelf.copy(shelf.record("Double scan"))
    avery = serving(staff_token(), AVERY)
    body = {"item_barcode": item.barcode}
    first = post(client, "/circulation/checkout", body, avery)
    second = post(client, "/circulation/checkout", body, avery)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["decision"]["code"] == "already_on_loan_to_patron"
    assert second.json()["loan_id"] == first.json()["loan_id"]


def test_checkin_sends_the_copy_to_the_first_hold_with_a_pickup_code(
    client, shelf, staff_token, patron_token, serving
):
    record = shelf.record("Wanted")
    item = shelf.copy(record)
    token = staff_token()
    post(client, "/circulation/checkout", {"item_barcode": item.barcode}, serving(token, AVERY))
    hold = post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, patron_token(BEATRICE)
    )
    assert hold.status_code == 201, hold.content
    assert hold.json()["position"] == 1 and hold.json()["status"] == "waiting"
    response = post(client, "/circulation/checkin", {"item_barcode": item.barcode}, token)
    assert response.status_code == 200
    body = response.json()
    assert body["item_barcode"] == item.barcode
    assert body["status"] == "on_hold_shelf"
    assert body["hold"]["pickup_branch"] == "MAIN"
    assert re.fullmatch(r"[A-Z]{3}-[0-9]{3}", body["hold"]["pickup_code"])  # random, no name
    assert "Beatrice" not in response.content.decode()


def test_checkin_at_another_branch_sends_it_in_transit(
    client, shelf, staff_token, patron_token, serving
):
    record = shelf.record("Travelling")
    item = shelf.copy(record)
    post(
        client,
        "/circulation/checkout",
        {"item_barcode": item.barcode},
        serving(staff_token(), AVERY),
    )
    post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, patron_token(BEATRICE)
    )
    keew = staff_token(workstation="KEEW-DESK-1")
    body = post(client, "/circulation/checkin", {"item_barcode": item.barcode}, keew).json()
    assert body["status"] == "in_transit"
    assert body["hold"]["pickup_branch"] == "MAIN"  # the slip travels with the copy
    hold_id = Hold.objects.get().pk
    seen_at_keew = client.get(f"/api/v1/holds/{hold_id}", **serving(keew, BEATRICE))
    assert seen_at_keew.json()["status"] == "in_transit"
    arrived = post(
        client, "/circulation/checkin", {"item_barcode": item.barcode}, staff_token()
    ).json()
    assert arrived["status"] == "on_hold_shelf" and arrived["hold"]["pickup_branch"] == "MAIN"


def test_renew_by_patron_and_refused_when_someone_waits(
    client, shelf, staff_token, patron_token, serving
):
    record = shelf.record("Renew me")
    item = shelf.copy(record)
    today = clock.now()
    with clock.travel_to(today - timedelta(days=7)):  # a renewal today adds time
        post(
            client,
            "/circulation/checkout",
            {"item_barcode": item.barcode},
            serving(staff_token(), AVERY),
        )
    with clock.travel_to(today - timedelta(days=1)):
        mine = patron_token(AVERY)
        response = post(client, "/circulation/renew", {"item_barcode": item.barcode}, mine)
        assert response.status_code == 200, response.content
        assert response.json()["decision"]["code"] == "renewal_granted"
        stranger = post(
            client, "/circulation/renew", {"item_barcode": item.barcode}, patron_token(BEATRICE)
        )
        assert stranger.status_code == 404
    post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, patron_token(BEATRICE)
    )
    mine = patron_token(AVERY)
    refused = post(client, "/circulation/renew", {"item_barcode": item.barcode}, mine)
    assert refused.status_code == 409
    assert refused.json()["decision"]["code"] == "renewal_wanted_by_holds"
    assert refused.json()["decision"]["clauses"][0]["id"] == "OP-02-01-01/equal-respect"


def test_holds_get_cancel_suspend_and_privacy(client, shelf, staff_token, patron_token, serving):
    record = shelf.record("Hold lifecycle")
    shelf.copy(record, status="on_loan")
    avery, beatrice = patron_token(AVERY), patron_token(BEATRICE)
    first = post(client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, avery).json()
    staff = staff_token()
    serving_beatrice = serving(staff, BEATRICE)
    second = post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "KEEW"}, serving_beatrice
    ).json()
    assert (first["position"], second["position"]) == (1, 2)
    assert client.get(f"/api/v1/holds/{first['id']}", **bearer(beatrice)).status_code == 404
    # Staff see a hold only while serving its patron, and never another patron's hold.
    assert client.get(f"/api/v1/holds/{first['id']}", **bearer(staff)).status_code == 422
    assert client.get(f"/api/v1/holds/{first['id']}", **serving_beatrice).status_code == 404
    seen_by_staff = client.get(f"/api/v1/holds/{first['id']}", **serving(staff, AVERY)).json()
    assert set(seen_by_staff) >= {"id", "status", "position", "estimated_wait_days", "record_id"}
    assert not {"patron", "patron_card", "name"} & set(seen_by_staff)
    suspended = post(client, f"/holds/{first['id']}/suspend", {"until": "2099-01-01"}, avery)
    assert suspended.status_code == 422  # more than a year ahead
    suspended = post(client, f"/holds/{first['id']}/suspend", {"until": None}, avery)
    assert suspended.json()["status"] == "suspended"
    assert client.get(f"/api/v1/holds/{second['id']}", **bearer(beatrice)).json()["position"] == 2
    cancelled = client.delete(f"/api/v1/holds/{first['id']}", **bearer(avery))
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(f"/api/v1/holds/{second['id']}", **bearer(beatrice)).json()["position"] == 1
    mine = client.get("/api/v1/me/holds", **bearer(beatrice)).json()
    assert [h["id"] for h in mine] == [second["id"]]


def test_requests_and_my_lists(client, shelf, staff_token, patron_token, serving):
    token = patron_token(SAM)
    made = post(
        client,
        "/requests",
        {"kind": "purchase", "title": "A book we lack", "isbn": "0-306-40615-2"},
        token,
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "submitted"
    bad = post(client, "/requests", {"kind": "purchase", "title": "x", "isbn": "123"}, token)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "isbn"]
    listed = client.get("/api/v1/me/requests", **bearer(token)).json()
    assert [r["title"] for r in listed] == ["A book we lack"]
    item = shelf.copy(shelf.record("Sam's book"))
    post(
        client,
        "/circulation/checkout",
        {"item_barcode": item.barcode},
        serving(staff_token(), SAM),
    )
    loans = client.get("/api/v1/me/loans", **bearer(token)).json()
    assert [loan["item_barcode"] for loan in loans] == [item.barcode]
    assert client.get("/api/v1/me/loans", **bearer(patron_token(AVERY))).json() == []


def test_openapi_describes_the_circulation_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/circulation/checkout",
        "/api/v1/circulation/checkin",
        "/api/v1/circulation/renew",
        "/api/v1/holds",
        "/api/v1/holds/{hold_id}",
        "/api/v1/holds/{hold_id}/suspend",
        "/api/v1/requests",
        "/api/v1/me/loans",
        "/api/v1/me/holds",
        "/api/v1/me/requests",
    ):
        assert path in paths, path


def test_the_database_allows_one_open_loan_per_item(shelf, patron):
    from django.db import IntegrityError, transaction

    from libdesk.core import clock

    item = shelf.copy(shelf.record("One loan only"))
    fields = {
        "item": item,
        "branch": item.branch,
        "patron_category": "adult",
        "via": "desk",
        "checked_out_at": clock.now(),
        "due": clock.today(),
    }
    Loan.objects.create(patron=patron(AVERY), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(patron=patron(BEATRICE), **fields)
    assert Loan.objects.filter(item=item).count() == 1


def test_a_retried_checkin_answers_the_same(client, shelf, staff_token, patron_token, serving):
    record = shelf.record("Retried return")
    item = shelf.copy(record)
    token = staff_token()
    post(client, "/circulation/checkout", {"item_barcode": item.barcode}, serving(token, AVERY))
    post(
        client, "/holds", {"record_id": record.pk, "pickup_branch": "MAIN"}, patron_token(BEATRICE)
    )
    first = post(
        client,
        "/circulation/checkin",
        {"item_barcode": item.barcode},
        token,
        HTTP_IDEMPOTENCY_KEY="ret-1",
    )
    again = post(
        client,
        "/circulation/checkin",
        {"item_barcode": item.barcode},
        token,
        HTTP_IDEMPOTENCY_KEY="ret-1",
    )
    assert first.json() == again.json() and first.json()["status"] == "on_hold_shelf"
    assert Hold.objects.get().status == "ready"


def test_only_desk_roles_lend(client, shelf, staff_token):
    item = shelf.copy(shelf.record("Not for the privacy officer"))
    privacy = staff_token("privacy")
    opened = client.post(
        "/api/v1/serving",
        {"patron_card": AVERY, "basis": "card_presented"},
        content_type="application/json",
        **bearer(privacy),
    )
    assert opened.status_code == 403 and opened.json()["code"] == "role_not_permitted"
    response = post(client, "/circulation/checkout", {"item_barcode": item.barcode}, privacy)
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_permitted"
    assert not Loan.objects.exists()


def test_staff_reads_are_audited_and_shown_to_the_patron(
    client, shelf, staff_token, patron_token, serving
):
    item = shelf.copy(shelf.record("Seen at the desk"))
    at_desk = serving(staff_token(), AVERY)
    post(client, "/circulation/checkout", {"item_barcode": item.barcode}, at_desk)
    loans = client.get("/api/v1/patron/loans", **at_desk).json()
    assert [loan["item_barcode"] for loan in loans] == [item.barcode]
    for kind in ("holds", "fees", "requests"):
        assert client.get(f"/api/v1/patron/{kind}", **at_desk).status_code == 200
    log = client.get("/api/v1/me/access-log", **bearer(patron_token(AVERY))).json()
    assert {"loans", "holds", "fees", "requests"} <= {entry["data_kind"] for entry in log}
    assert {entry["role"] for entry in log} == {"clerk"}


# Calls about a patron: method, path, body, and whether it names one of the patron's objects
# (then serving another patron must not reach it either).
WITHOUT_THE_PATRON = [
    ("post", "/circulation/checkout", {"item_barcode": "{barcode}"}, False),
    ("post", "/circulation/renew", {"item_barcode": "{barcode}"}, True),
    ("post", "/holds", {"record_id": "{record}", "pickup_branch": "MAIN"}, False),
    ("post", "/requests", {"kind": "purchase", "title": "Probe"}, False),
    ("get", "/holds/{hold}", None, True),
    ("delete", "/holds/{hold}", None, True),
    ("post", "/holds/{hold}/suspend", {"until": None}, True),
    ("post", "/holds/{hold}/resume", {}, True),
    ("get", "/patron/loans", None, False),
    ("get", "/patron/holds", None, False),
    ("get", "/patron/fees", None, False),
    ("get", "/patron/requests", None, False),
    ("get", "/patron", None, False),
]


def _filled(value, values: dict):
    if isinstance(value, str) and value.startswith("{"):
        return values[value.strip("{}")]
    return value


@pytest.mark.parametrize("method,path,body,names_an_object", WITHOUT_THE_PATRON)
def test_a_desk_token_learns_nothing_about_a_patron_it_is_not_serving(
    client, shelf, staff_token, patron_token, serving, method, path, body, names_an_object
):
    """Trying cards or ids one by one gets the same answers whoever has what: a missing
    context is 422 naming the header; an ended, foreign, malformed or other patron's context
    is 404; nothing changes and nothing about the patron is in any answer."""
    record = shelf.record("Probed title")
    item = shelf.copy(record)
    clerk = staff_token()
    post(client, "/circulation/checkout", {"item_barcode": item.barcode}, serving(clerk, AVERY))
    wanted = shelf.record("Wanted title")
    shelf.copy(wanted, status="on_loan")
    hold = post(
        client, "/holds", {"record_id": wanted.pk, "pickup_branch": "MAIN"}, patron_token(AVERY)
    ).json()
    values = {"barcode": item.barcode, "record": wanted.pk, "hold": hold["id"]}
    path = path.format(**values)
    ended = serving(clerk, AVERY)
    client.delete(f"/api/v1/serving/{ended['HTTP_X_SERVING_CONTEXT']}", **bearer(clerk))
    librarians = serving(staff_token("librarian"), AVERY)
    attempts = {
        "no context": (bearer(clerk), 422),
        "malformed": ({**bearer(clerk), "HTTP_X_SERVING_CONTEXT": "x" * 60}, 404),
        "ended": (ended, 404),
        "another staff member's": ({**librarians, **bearer(clerk)}, 404),
    }
    if names_an_object:
        attempts["another patron's"] = (serving(clerk, BEATRICE), 404)
    before = (Loan.objects.count(), Hold.objects.count(), Hold.objects.get().status)
    for name, (headers, expected) in attempts.items():
        if body is None:
            response = getattr(client, method)(f"/api/v1{path}", **headers)
        else:
            filled = {k: _filled(v, values) for k, v in body.items()}
            response = getattr(client, method)(
                f"/api/v1{path}", filled, content_type="application/json", **headers
            )
        assert response.status_code == expected, (name, response.content)
        assert "Avery" not in response.content.decode(), name
    assert (Loan.objects.count(), Hold.objects.count(), Hold.objects.get().status) == before
