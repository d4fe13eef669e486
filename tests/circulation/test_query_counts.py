"""Lists read in a fixed number of queries, however many loans and holds a patron has (STYLE.md,
point 11): the serving page, the holds desk, the patron's account and `/api/v1/me/holds`."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from libdesk.circulation import services
from tests.conftest import AVERY, PINS, bearer

pytestmark = pytest.mark.django_db

# The most each page may send, with one loan and one hold or with many (the serving page's
# include one query each for a kiosk's blocks on the card and its offline conflicts, and the
# notes staff left for the visit: one query, and the audit entry of their first read).
LIMITS = {"serving page": 45, "holds desk": 12, "account": 18, "/api/v1/me/holds": 8}


def lend_and_hold(shelf, desk, patron, n: int) -> None:
    """n loans, and n holds of each kind (a title, any edition of a work, one copy)."""
    avery = patron(AVERY)
    for i in range(n):
        services.checkout(desk(), avery, shelf.copy(shelf.record(f"Borrowed {i}")).barcode)
        for kind in ("title", "work", "copy"):
            wanted = shelf.record(f"Wanted {kind} {i}")
            copy = shelf.copy(wanted, status="on_loan")
            shelf.copy(wanted, branch="KEEW")  # a copy another branch's desk would pull
            services.place_hold(
                desk(),
                avery,
                pickup_branch=desk().branch,
                record=None if kind == "copy" else wanted,
                item=copy if kind == "copy" else None,
                any_edition=kind == "work",
            )


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries)


def page_queries(staff_client, patron_token) -> dict[str, int]:
    clerk = staff_client()
    serving = clerk.post("/staff/desk/card/", {"card": AVERY})["Location"]
    keew = staff_client(workstation="KEEW-DESK-1")
    account = Client()
    account.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    token = patron_token(AVERY)
    api = Client()
    return {
        "serving page": queries(lambda: clerk.get(serving)),
        "holds desk": queries(lambda: keew.get("/staff/holds/")),
        "account": queries(lambda: account.get("/account/")),
        "/api/v1/me/holds": queries(lambda: api.get("/api/v1/me/holds", **bearer(token))),
    }


@pytest.mark.parametrize("n", [1, 6])
def test_lists_read_in_a_fixed_number_of_queries(
    shelf, desk, patron, staff_client, patron_token, n
):
    lend_and_hold(shelf, desk, patron, n)
    counted = page_queries(staff_client, patron_token)
    assert {page: count <= LIMITS[page] for page, count in counted.items()} == dict.fromkeys(
        LIMITS, True
    ), counted


def test_more_loans_and_holds_send_no_more_queries(shelf, desk, patron, staff_client, patron_token):
    lend_and_hold(shelf, desk, patron, 1)
    few = page_queries(staff_client, patron_token)
    lend_and_hold(shelf, desk, patron, 5)
    many = page_queries(staff_client, patron_token)
    assert many == few
