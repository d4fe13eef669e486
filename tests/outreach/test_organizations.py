"""Organizations as patrons: a school, a care home or a community group has a contact person,
which staff serving it record and see on the serving page; an organization can ask for the
newsletter, which then goes to its contact person."""

import re
from html import unescape

import pytest
from django.core import mail

from libdesk.access.table import AccessDenied
from libdesk.audit.models import AuditEntry
from libdesk.outreach import services
from libdesk.outreach.models import OrganizationContact
from libdesk.patrons.models import ConsentRecord
from tests.conftest import AVERY
from tests.outreach.conftest import CONTACT_EMAIL, SCHOOL_CARD, serving_access_for

pytestmark = pytest.mark.django_db

CONTACT = {
    "name": "Mary Whitefeather",
    "role": "Teacher-librarian",
    "email": CONTACT_EMAIL,
    "phone": "807-555-0123",
}


def _serve(browser, card: str) -> str:
    response = browser.post("/staff/desk/card/", {"card": card})
    assert response.status_code == 302
    return response["Location"]


def test_staff_serving_an_organization_record_its_contact_person(staff_client, school):
    clerk = staff_client("clerk")
    serving = _serve(clerk, SCHOOL_CARD)
    page = unescape(clerk.get(serving).content.decode())
    assert "No contact person recorded yet." in page
    response = clerk.post(f"{serving}organization/contact/", {**CONTACT, "newsletter": "on"})
    assert response.status_code == 302
    page = unescape(clerk.get(serving).content.decode())
    assert "Mary Whitefeather" in page and "Teacher-librarian" in page and CONTACT_EMAIL in page
    contact = OrganizationContact.objects.get(patron=school)
    assert contact.phone == "807-555-0123"
    consent = ConsentRecord.objects.get(patron=school, purpose="newsletters")
    assert (consent.given, consent.channel) == (True, "desk")
    entry = AuditEntry.objects.get(action="outreach.contact.change")
    assert entry.patron_id == school.pk and entry.actor_role == "clerk"


def test_the_contact_form_names_the_field_in_error(staff_client, school):
    clerk = staff_client("clerk")
    serving = _serve(clerk, SCHOOL_CARD)
    response = clerk.post(f"{serving}organization/contact/", {**CONTACT, "email": "", "phone": ""})
    assert response.status_code == 422
    assert "an e-mail address or a phone number is needed" in unescape(response.content.decode())
    response = clerk.post(
        f"{serving}organization/contact/", {**CONTACT, "email": "", "newsletter": "on"}
    )
    assert "the newsletter is sent by e-mail" in unescape(response.content.decode())
    assert not OrganizationContact.objects.exists()


def test_a_person_has_no_contact_person(staff_client, demo_library):
    clerk = staff_client("clerk")
    serving = _serve(clerk, AVERY)
    assert clerk.get(f"{serving}organization/contact/").status_code == 404
    assert "Contact person" not in clerk.get(serving).content.decode()
    with pytest.raises(services.OutreachError) as error:
        services.set_organization_contact(serving_access_for(AVERY), **CONTACT)
    assert error.value.field == "category"


def test_only_staff_serving_the_organization_reach_its_contact(staff_client, school, client):
    clerk = staff_client("clerk")
    serving = _serve(clerk, SCHOOL_CARD)
    other = staff_client("librarian")
    assert other.get(f"{serving}organization/contact/").status_code == 404  # not their context
    assert client.get(f"{serving}organization/contact/").status_code == 302  # sign in
    from libdesk.access.purposes import Access
    from libdesk.access.table import Context
    from libdesk.audit.actors import Actor

    no_context = Access(Actor.system(), "clerk", Context.NONE, school.pk)
    with pytest.raises(AccessDenied):  # the table: only in a serving context
        services.set_organization_contact(no_context, **CONTACT)
    assert not OrganizationContact.objects.exists()


def test_the_organizations_newsletter_goes_to_its_contact_person(school, catalogue, send):
    from libdesk.accounts.models import StaffUser, Workstation

    services.set_organization_contact(serving_access_for(SCHOOL_CARD), **CONTACT, newsletter=True)
    catalogue.arrival("Atlas of the Lake of the Woods")
    staff = StaffUser.objects.get(username="librarian")
    station = Workstation.objects.get(name="MAIN-DESK-1")
    issue = services.compose_issue(
        staff, station, title_en="News", title_fr="Nouvelles", sections=["new_arrivals"]
    )
    send(issue)
    (message,) = mail.outbox
    assert message.to == [CONTACT_EMAIL]
    assert "Atlas of the Lake of the Woods" in message.body
    link = re.search(r"/newsletter/unsubscribe/\S+/", message.body)[0]
    from django.test import Client

    Client().post(link)
    latest = ConsentRecord.objects.filter(patron=school, purpose="newsletters").latest("pk")
    assert latest.given is False
    assert OrganizationContact.objects.filter(patron=school).exists()  # still the contact
