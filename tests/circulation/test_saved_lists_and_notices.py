"""Saved lists in the patron's account, through the pages: made, filled from the results and
the record page, emptied, renamed and deleted; never filled from loans; nobody else's."""

import re
from html import unescape

import pytest

from libdesk.catalog.models import SavedList, SavedListEntry
from libdesk.circulation import services
from tests.conftest import AVERY, BEATRICE, PINS

pytestmark = pytest.mark.django_db


def signed_in(client, card=AVERY):
    assert client.post("/account/sign-in/", {"card": card, "pin": PINS[card]}).status_code == 302
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(response.content.decode())))


def test_a_patron_keeps_lists_from_the_record_page(client, shelf):
    first, second = shelf.record("Moby-Dick"), shelf.record("Typee")
    signed_in(client)
    record_page = client.get(f"/records/{first.pk}/").content.decode()
    assert 'action="/account/lists/add/"' in record_page
    made = client.post(
        "/account/lists/add/",
        {"record_id": first.pk, "name": "Sea stories", "next": f"/records/{first.pk}/"},
    )
    assert made.status_code == 302 and made["Location"] == f"/records/{first.pk}/"
    assert "Added to “Sea stories”." in text(client.get(made["Location"]))
    saved = SavedList.objects.get()
    client.post("/account/lists/add/", {"record_id": second.pk, "list_id": saved.pk})
    again = client.post("/account/lists/add/", {"record_id": second.pk, "list_id": saved.pk})
    assert "Already on “Sea stories”." in text(client.get(again["Location"]))
    index = text(client.get("/account/lists/"))
    assert "Sea stories (2 records)" in index
    page = text(client.get(f"/account/lists/{saved.pk}/"))
    assert "Moby-Dick" in page and "Typee" in page
    client.post(f"/account/lists/{saved.pk}/remove/", {"record_id": first.pk})
    page = text(client.get(f"/account/lists/{saved.pk}/"))
    assert "Moby-Dick" not in page and "Typee" in page
    client.post(f"/account/lists/{saved.pk}/rename/", {"name": "  Melville  "})
    assert "Melville (1 record)" in text(client.get("/account/lists/"))
    deleted = client.post(f"/account/lists/{saved.pk}/delete/")
    assert deleted["Location"] == "/account/lists/"
    assert not SavedList.objects.exists() and not SavedListEntry.objects.exists()


def test_list_names_are_checked_and_said_where(client, demo_library):
    signed_in(client)
    client.post("/account/lists/new/", {"name": "Holiday"})
    twice = client.post("/account/lists/new/", {"name": "Holiday"})
    assert twice.status_code == 422
    assert "You already have a list with this name." in text(twice)
    empty = client.post("/account/lists/new/", {"name": "   "})
    assert empty.status_code == 422 and SavedList.objects.count() == 1


def test_someone_elses_list_is_not_found(client, shelf):
    record = shelf.record("Private picks")
    signed_in(client)
    client.post("/account/lists/add/", {"record_id": record.pk, "name": "Mine"})
    averys = SavedList.objects.get()
    other = signed_in(type(client)(), BEATRICE)
    assert other.get(f"/account/lists/{averys.pk}/").status_code == 404
    assert other.post(f"/account/lists/{averys.pk}/delete/").status_code == 404
    took = other.post("/account/lists/add/", {"record_id": record.pk, "list_id": averys.pk})
    assert took.status_code == 404
    assert SavedList.objects.get().entries.count() == 1


def test_loans_never_fill_a_list(client, shelf, desk, patron):
    signed_in(client)
    client.post("/account/lists/new/", {"name": "Empty on purpose"})
    copy = shelf.copy(shelf.record("Borrowed, not saved"))
    services.checkout(desk(), patron(AVERY), copy.barcode)
    services.checkin(desk(), copy.barcode)
    assert not SavedListEntry.objects.exists()
    assert "(0 records)" in text(client.get("/account/lists/"))


def test_saving_from_the_results_page(client, shelf):
    from libdesk.catalog.search.follower import wait_until_indexed

    record = shelf.record("Whaling voyages")
    shelf.copy(record)
    wait_until_indexed()
    signed_in(client)
    html = client.get("/search/", {"q": "whaling"}).content.decode()
    form = re.search(r'<form method="post" action="/account/lists/add/".*?</form>', html, re.S)
    assert form and f'value="{record.pk}"' in form.group(0)
    done = client.post(
        "/account/lists/add/", {"record_id": record.pk, "list_id": "", "next": "/search/?q=whaling"}
    )
    assert done["Location"] == "/search/?q=whaling"
    assert [e.record_id for e in SavedListEntry.objects.all()] == [record.pk]
    assert SavedList.objects.get().name == "My list"


def test_notice_preferences_offer_what_the_contact_details_allow(client, patron):
    avery = patron(AVERY)
    signed_in(client)
    page = client.get("/account/").content.decode()
    assert "How we tell you" in page
    choices = set(re.findall(r'name="overdue" value="(\w+)"', page))
    expected = {"email"} if avery.email else set()
    expected |= {"phone"} if avery.phone else set()
    assert choices == (expected or {"none"})
    assert "none" in set(re.findall(r'name="hold_ready" value="(\w+)"', page))
    refused = client.post(
        "/account/", {"form": "notices", "hold_ready": "none", "overdue": "none", "events": "none"}
    )
    assert refused.status_code == 200 and "Select a valid choice" in text(refused)
    avery.refresh_from_db()
    assert avery.notices_overdue == "email"


def _choose(client, **choices):
    chosen = client.post("/account/", {"form": "notices", **choices})
    assert chosen.status_code == 302, text(chosen)[:400]


def test_a_hold_ready_notice_goes_the_way_the_patron_chose(
    client, shelf, desk, patron, sent, staff_client
):
    from django.core import mail

    from libdesk.library.models import Library

    Library.objects.update(is_demo=False)
    signed_in(client)
    contact = {"form": "contact", "email": "avery@example.org", "phone": "807-555-0123"}
    assert client.post("/account/", {**contact, "language": "en"}).status_code == 302
    _choose(client, hold_ready="phone", overdue="email", events="email")
    record = shelf.record("Phoned about")
    copy = shelf.copy(record, status="on_loan")
    services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    with sent():
        services.checkin(desk(), copy.barcode)
    assert mail.outbox == []
    assert patron(AVERY).name in staff_client("clerk").get("/staff/call-list/").content.decode()
    _choose(client, hold_ready="none", overdue="email", events="email")
    assert patron(AVERY).name not in staff_client().get("/staff/call-list/").content.decode()
    _choose(client, hold_ready="email", overdue="email", events="email")
    from libdesk.circulation.models import Hold, NoticeSent
    from libdesk.circulation.tasks import send_notice

    NoticeSent.objects.all().delete()  # as if the choice had been e-mail all along
    send_notice.call("hold_ready", Hold.objects.get().pk, "")
    assert [m.to for m in mail.outbox] == [["avery@example.org"]]
