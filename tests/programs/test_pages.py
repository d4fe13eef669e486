"""The programs' web doors: the calendar by date, branch and audience, an event's page with its
schema.org data, registering (one click when signed in; a name and one contact otherwise), the
private cancel link, the patron's own registrations, and the staff's pages, where only an
event's organizer sees who registered (each look audited)."""

import json
import re

import pytest
from django.test import Client

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.patrons.models import Patron
from libdesk.programs import services
from libdesk.programs.models import Event, Registration
from tests.conftest import AVERY, PINS
from tests.programs.conftest import anyone

pytestmark = pytest.mark.django_db


def _signed_in(card: str = AVERY) -> Client:
    browser = Client()
    browser.post("/account/sign-in/", {"card": card, "pin": PINS[card]})
    return browser


def test_the_calendar_filters_by_branch_audience_and_date(client, make_event):
    make_event(branch="KEEW", audience="teens", title_en="Keewatin chess")
    page = client.get("/events/", {"branch": "KEEW", "audience": "teens"}).content.decode()
    assert "Keewatin chess" in page and "Puppet" not in page and ">Storytime<" not in page
    later = client.get("/events/", {"start": "2199-01-01"}).content.decode()
    assert "Keewatin chess" not in later
    assert client.get("/events/", {"start": "9999-01-01"}).status_code == 422
    french = client.get("/events/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "L&#x27;heure du conte" in french or "L'heure du conte" in french


def test_the_event_page_carries_schema_org_event_data(client, make_event):
    event = make_event(capacity=3)
    page = client.get(f"/events/{event.pk}/").content.decode()
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Event" and data["name"] == "Puppet show"
    assert data["location"]["name"] == "Main, Children's room"
    assert data["remainingAttendeeCapacity"] == 3
    assert data["eventStatus"] == "https://schema.org/EventScheduled"


def test_an_event_page_asks_for_comments_naming_only_the_kind_of_service(client, make_event):
    event = make_event(capacity=3)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert 'href="/comments/?service=event"' in page
    form = client.get("/comments/?service=event").content.decode()
    assert re.search(r'<option value="event" selected>', form)


def test_anyone_registers_with_a_name_and_one_contact_and_gets_the_cancel_link(client, make_event):
    event = make_event(capacity=1)
    response = client.post(
        f"/events/{event.pk}/register/", {"name": "Kim Lee", "contact": "kim@example.org"}
    )
    assert response.status_code == 201
    link = re.search(r'class="cancel-link" href="([^"]+)"', response.content.decode()).group(1)
    assert Registration.objects.get(event=event).name == "Kim Lee"
    page = client.get(link).content.decode()
    assert "You are registered." in page
    assert client.post(link).status_code == 200
    assert Registration.objects.get(event=event).status == "cancelled"


def test_a_card_number_typed_anonymously_is_refused_beside_the_field(client, make_event):
    event = make_event()
    response = client.post(f"/events/{event.pk}/register/", {"name": "Kim", "contact": AVERY})
    assert response.status_code == 422
    assert "library card number" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


def test_a_signed_in_patron_registers_in_one_click_and_sees_it_in_the_account(make_event):
    event = make_event(capacity=1)
    services.register(event.pk, anyone(0))
    browser = _signed_in()
    response = browser.post(f"/events/{event.pk}/register/")
    assert response.status_code == 201
    assert "number 1 in line" in response.content.decode()
    avery = Patron.objects.get(card_number=AVERY)
    registration = Registration.objects.get(event=event, patron=avery)
    assert registration.name == "" and registration.contact_email == ""
    mine = browser.get("/account/events/")
    assert mine["Cache-Control"].startswith("no-store") or "no-store" in mine["Cache-Control"]
    assert "on the waitlist, number 1" in mine.content.decode()
    browser.post(f"/account/events/{registration.pk}/withdraw/")
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_only_the_organizer_sees_who_registered_and_each_look_is_audited(staff_client, make_event):
    event = make_event(capacity=2, organizer="librarian")
    avery = Patron.objects.get(card_number=AVERY)
    services.register(event.pk, services.Registrant(patron_id=avery.pk))
    services.register(event.pk, anyone(1))
    organizer = staff_client("librarian")
    page = organizer.get(f"/staff/events/{event.pk}/attendance/").content.decode()
    assert "Avery Lindqvist" in page and "Visitor B" in page
    read = AuditEntry.objects.filter(action="patron.read", patron_id=avery.pk).last()
    assert read.data_kind == "event_registrations" and read.object_id == ""  # not which program
    assert staff_client("head").get(f"/staff/events/{event.pk}/attendance/").status_code == 404
    assert staff_client("clerk").get(f"/staff/events/{event.pk}/attendance/").status_code == 404
    assert staff_client("admin").get(f"/staff/events/{event.pk}/attendance/").status_code == 403


def test_staff_create_a_weekly_series_each_registered_separately(staff_client):
    from libdesk.accounts.models import StaffUser

    librarian = StaffUser.objects.get(username="librarian")
    response = staff_client("librarian").post(
        "/staff/events/new/",
        {
            "title_en": "Lego club",
            "audience": "children",
            "branch": "KEEW",
            "organizer": librarian.pk,
            "starts_at": "2199-03-02T16:00",
            "ends_at": "2199-03-02T17:00",
            "registration_required": "on",
            "capacity": "10",
            "repeat": "weekly",
            "occurrences": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    events = list(Event.objects.filter(title_en="Lego club").order_by("starts_at"))
    assert len(events) == 4 and len({e.series_id for e in events}) == 1
    zone = clock.library_zone()  # the same local time, across the change of clocks
    assert [e.starts_at.astimezone(zone).hour for e in events] == [16] * 4


def test_an_organizer_edits_their_event_and_not_another_organizers(staff_client, make_event):
    event = make_event(organizer="clerk")
    assert staff_client("clerk").get(f"/staff/events/{event.pk}/").status_code == 200
    assert staff_client("librarian").get(f"/staff/events/{event.pk}/").status_code == 404
    assert staff_client("head").get(f"/staff/events/{event.pk}/").status_code == 200
    assert staff_client("privacy").get(f"/staff/events/{event.pk}/").status_code == 403


def test_the_site_links_to_programs(client, staff_client):
    assert 'href="/events/"' in client.get("/").content.decode()
    assert 'href="/staff/events/"' in staff_client("clerk").get("/staff/").content.decode()
