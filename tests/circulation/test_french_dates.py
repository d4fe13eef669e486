"""Dates in text built in Python read as words in the reader's language, as pages show them:
a checkout's "Due back on 21 December 2026" ("À rendre le 21 décembre 2026"), and when a copy
sent from another branch would arrive. The API's fields keep ISO 8601."""

import re
from datetime import date
from html import unescape

import pytest

from libdesk.circulation import services
from libdesk.circulation.models import Loan
from tests.conftest import AVERY, BEATRICE
from tests.long_dates import english, french

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))


@pytest.mark.parametrize(("language", "words"), [("en", english), ("fr", french)])
def test_the_desk_says_the_due_date_in_words(staff_client, shelf, language, words):
    copy = shelf.copy(shelf.record("Lent today"))
    clerk = staff_client()
    clerk.cookies["libdesk_language"] = language
    serving = clerk.post("/staff/desk/card/", {"card": AVERY})["Location"]
    answer = clerk.post(f"{serving}checkout/", {"barcode": copy.barcode})
    assert answer.status_code == 200
    due = Loan.objects.get(item=copy).due
    page = _text(answer.content.decode())
    assert words(due) in page
    assert due.isoformat() not in page


def test_a_copy_sent_from_another_branch_arrives_on_a_day_in_words(
    client, shelf, desk, patron, staff_token, serving
):
    """The alternative's label says the day in the reader's language; its detail keeps the
    ISO date for programs."""
    record = shelf.record("Out here, in at Keewatin")
    here = shelf.copy(record)
    shelf.copy(record, branch="KEEW")
    services.checkout(desk(), patron(BEATRICE), here.barcode)
    answer = client.post(
        "/api/v1/circulation/checkout",
        {"item_barcode": here.barcode},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
        **serving(staff_token(), AVERY),
    )
    assert answer.status_code == 409
    (offer,) = [a for a in answer.json()["decision"]["alternatives"] if a["kind"] == "other_branch"]
    arrival = date.fromisoformat(offer["expected_arrival"])
    assert f"envoyé ici, vers le {french(arrival)}." in offer["label"], offer["label"]
    assert offer["expected_arrival"] not in offer["label"]
