"""Registering and changing patrons at the desk, each change audited without its values."""

from datetime import date
from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.patrons.models import Patron, RetiredCard
from tests.conftest import AVERY, PINS, SAM

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Casey Mireault",
    "card_number": "29000000000099",
    "card_expires": "2029-01-31",
    "category": "adult",
    "home_branch": "KEEW",
    "email": "casey@example.org",
    "phone": "",
    "postal_address": "",
    "language": "fr",
    "pin": "9876",
}


def serve(client, card):
    return client.post("/staff/desk/card/", {"card": card})["Location"]


def test_registering_a_patron_opens_their_account(staff_client):
    clerk = staff_client("clerk")
    response = clerk.post("/staff/patrons/new/", NEW)
    assert response.status_code == 302
    page = clerk.get(response["Location"]).content.decode()
    assert "Casey Mireault" in page
    casey = Patron.objects.get(card_number="29000000000099")
    assert casey.home_branch.code == "KEEW" and casey.language == "fr"
    assert casey.pin_hash.startswith("argon2")
    entry = AuditEntry.objects.get(action="patron.register", patron_id=casey.pk)
    assert "Casey" not in str(entry.__dict__)  # ids, never contents


def test_a_childs_birth_date_is_seen_and_only_the_cutoff_date_kept(staff_client):
    clerk = staff_client("clerk")
    with clock.travel_to(date(2026, 11, 28)):
        clerk.post("/staff/patrons/new/", {**NEW, "category": "child", "birth_date": "2019-02-14"})
    child = Patron.objects.get(card_number="29000000000099")
    assert child.minor_until == date(2035, 2, 14)
    assert "birth" not in {f.name for f in Patron._meta.get_fields()}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "", "phone": "", "postal_address": ""}, "one way to reach the patron is needed"),
        ({"card_number": AVERY}, "this card number is already in use"),
        ({"category": "child"}, "birth date is needed"),
        ({"pin": "12"}, "a PIN is 4 to 12 digits"),
        ({"phone": "call me", "email": ""}, "not a valid phone number"),
    ],
)
def test_bad_registrations_say_what_is_wrong_and_store_nothing(staff_client, change, message):
    before = Patron.objects.count()
    response = staff_client("clerk").post("/staff/patrons/new/", {**NEW, **change})
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert Patron.objects.count() == before


def test_editing_a_record(staff_client):
    clerk = staff_client("clerk")
    url = serve(clerk, AVERY)
    clerk.post(
        url + "edit/",
        {
            "name": "Avery L. Lindqvist",
            "category": "senior",
            "home_branch": "KEEW",
            "email": "avery@example.org",
            "phone": "",
            "postal_address": "",
            "language": "en",
        },
    )
    avery = Patron.objects.get(card_number=AVERY)
    assert (avery.name, avery.category, avery.home_branch.code) == (
        "Avery L. Lindqvist",
        "senior",
        "KEEW",
    )
    assert AuditEntry.objects.filter(action="patron.update", patron_id=avery.pk).exists()


def test_renewing_a_card(staff_client):
    clerk = staff_client("clerk")
    clerk.post(serve(clerk, AVERY) + "renew/", {"card_expires": "2034-12-31"})
    assert Patron.objects.get(card_number=AVERY).card_expires == date(2034, 12, 31)


def test_a_lost_card_stops_working_until_replaced(staff_client, client):
    clerk = staff_client("clerk")
    url = serve(clerk, AVERY)
    clerk.post(url + "lost/", {"confirm": "1"})
    refused = staff_client("librarian").post("/staff/desk/card/", {"card": AVERY})
    assert refused.status_code == 409
    assert "reported lost" in unescape(refused.content.decode())
    signed_in = client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    assert "not recognised" in unescape(signed_in.content.decode())
    clerk.post(url + "replace/", {"card_number": "29000000000501"})
    avery = Patron.objects.get(card_number="29000000000501")
    assert avery.card_lost_at is None
    assert RetiredCard.objects.get(patron=avery).reason == "lost"
    assert AVERY not in str(RetiredCard.objects.values_list())  # only a hash is kept
    again = staff_client("librarian").post("/staff/desk/card/", {"card": AVERY})
    assert again.status_code == 409


def test_resetting_a_pin_lets_the_patron_sign_in_with_it(staff_client, client):
    clerk = staff_client("clerk")
    clerk.post(serve(clerk, AVERY) + "pin/", {"pin": "424242"})
    response = client.post("/account/sign-in/", {"card": AVERY, "pin": "424242"})
    assert response.status_code == 302


def test_linking_a_guardian_to_a_child(staff_client):
    clerk = staff_client("clerk")
    clerk.post("/staff/patrons/new/", {**NEW, "category": "child", "birth_date": "2020-01-01"})
    url = serve(clerk, "29000000000099")
    clerk.post(url + "guardian/", {"guardian_card": AVERY})
    page = clerk.get(url).content.decode()
    assert "Avery Lindqvist" in page
    not_a_child = serve(clerk, SAM.replace("11", "01"))
    clerk.post(not_a_child + "guardian/", {"guardian_card": SAM})
    assert "only a child's record can have a guardian" in unescape(
        clerk.get(not_a_child).content.decode()
    )
