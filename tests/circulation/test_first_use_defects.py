"""Issue 16's first-use defects on the patron's side of holds, through the pages."""

import re
from html import unescape

import pytest

from libdesk.circulation import services
from libdesk.core import clock
from tests.conftest import AVERY, JORDAN, PINS

pytestmark = pytest.mark.django_db


def signed_in(client, card=AVERY):
    response = client.post("/account/sign-in/", {"card": card, "pin": PINS[card]})
    assert response.status_code == 302
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(response.content.decode())))


def test_hold_form_labels_point_at_their_checkboxes(client, shelf):
    record = shelf.record("Checkbox labels")
    shelf.copy(record)
    signed_in(client)
    for page in (
        client.get(f"/records/{record.pk}/"),
        client.post("/account/holds/new/", {"record_id": record.pk}),  # the form again, 422
    ):
        html = page.content.decode()
        assert 'for=""' not in html
        ids = set(re.findall(r'<input[^>]* id="([^"]+)"', html))
        checkboxes = re.findall(r'<input type="checkbox"[^>]*id="([^"]+)"', html)
        assert len(checkboxes) >= 2  # "any edition" and the formats
        for box in checkboxes:
            assert f'<label for="{box}">' in html, box
        for target in re.findall(r'<label for="([^"]+)"', html):
            assert target in ids or f'id="{target}"' in html, target
        assert "<legend>Only in these formats" in html


def test_the_stylesheet_does_not_stretch_checkboxes(client):
    css = client.get("/static/libdesk/css/libdesk.css")
    text = b"".join(css.streaming_content if css.streaming else [css.content]).decode()
    wide = [
        line for line in text.splitlines() if "form.stacked input" in line and "width: min(" in line
    ]
    assert wide and all(":not([type=checkbox])" in line for line in wide)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("in_repair", "Estimated wait: being repaired, no date yet."),
        ("in_transit", "Estimated wait: in transit, expected within 2 days."),
        ("missing", "Estimated wait: being looked for, no date yet."),
    ],
)
def test_a_wait_is_told_honestly_for_a_copy_in_repair_or_in_transit(
    client, shelf, status, expected
):
    record = shelf.record(f"Copy {status}")
    shelf.copy(record, status=status)
    signed_in(client)
    offered = text_of(client.get(f"/records/{record.pk}/"))
    assert "about 0 days" not in offered
    placed = client.post("/account/holds/new/", {"record_id": record.pk, "pickup_branch": "MAIN"})
    assert placed.status_code == 200
    said = text_of(placed)
    assert "about 0 days" not in said and expected in said
    account = text_of(client.get("/account/"))
    assert expected.removeprefix("Estimated wait: ").rstrip(".") in account


def test_a_wait_behind_a_loan_still_counts_the_days(client, shelf, desk, patron):
    record = shelf.record("On loan for a while")
    copy = shelf.copy(record)
    loan = services.checkout(desk(), patron(JORDAN), copy.barcode).loan
    signed_in(client)
    placed = client.post("/account/holds/new/", {"record_id": record.pk, "pickup_branch": "MAIN"})
    days = (loan.due - clock.today()).days
    assert f"Estimated wait: about {days} days." in text_of(placed)
