"""The record of newsletters sent and an organization's contact person are patron data: in
the export, gone when the account closes (tests/rights), purged past their periods."""

from datetime import timedelta

import pytest

from libdesk.core import clock, patron_data
from libdesk.outreach import services
from libdesk.outreach.models import NewsletterDelivery, OrganizationContact
from libdesk.patrons.models import Patron
from tests.conftest import AVERY
from tests.outreach.conftest import SCHOOL_CARD, consent, serving_access_for

pytestmark = pytest.mark.django_db


def _sent_to_avery(librarian, catalogue, send):
    consent(AVERY)
    catalogue.arrival("The lake in winter")
    staff, station = librarian
    issue = services.compose_issue(
        staff, station, title_en="News", title_fr="Nouvelles", sections=["new_arrivals"]
    )
    send(issue)
    return Patron.objects.get(card_number=AVERY)


def test_the_export_shows_which_issues_were_sent(librarian, catalogue, send):
    avery = _sent_to_avery(librarian, catalogue, send)
    (row,) = patron_data.kind_named("outreach.newsletter_deliveries").export(avery.pk)
    assert row["newsletter"] == "News" and row["newsletter_fr"] == "Nouvelles"
    assert row["sent_at"]


def test_deliveries_are_purged_after_their_period(librarian, catalogue, send, settings):
    avery = _sent_to_avery(librarian, catalogue, send)
    purge = patron_data.purges()["outreach.newsletter_deliveries"]
    assert purge() == 0
    days = settings.LIBDESK["NEWSLETTER_DELIVERY_RETENTION_DAYS"]
    with clock.travel_to(clock.now() + timedelta(days=days + 1)):
        assert purge() == 1
    assert not NewsletterDelivery.objects.filter(patron=avery).exists()
    assert purge() == 0  # safe to run again


def test_a_contact_person_goes_when_the_record_is_no_longer_an_organization(school):
    services.set_organization_contact(
        serving_access_for(SCHOOL_CARD), name="Ann Lee", email="ann@example.org"
    )
    purge = patron_data.purges()["outreach.organization_contacts"]
    assert purge() == 0
    Patron.objects.filter(pk=school.pk).update(category="adult")
    assert purge() == 1
    assert not OrganizationContact.objects.exists()


def test_the_contact_person_is_in_the_organizations_export(school):
    services.set_organization_contact(
        serving_access_for(SCHOOL_CARD), name="Ann Lee", role="Principal", phone="807-555-0100"
    )
    (row,) = patron_data.kind_named("outreach.organization_contacts").export(school.pk)
    assert (row["contact_person"], row["their_role"], row["phone"]) == (
        "Ann Lee",
        "Principal",
        "807-555-0100",
    )
