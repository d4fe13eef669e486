"""Registrations (names, contacts, links to patrons) are deleted a set time after the program
(LIBDESK_EVENT_CONTACT_RETENTION_DAYS); the program keeps only its counts."""

from datetime import timedelta

import pytest

from libdesk.core import clock
from libdesk.core.patron_data import purges
from libdesk.programs import services
from libdesk.programs.models import Registration
from tests.programs.conftest import anyone

pytestmark = pytest.mark.django_db


def test_registrations_go_after_the_retention_period_and_counts_stay(make_event, settings):
    settings.LIBDESK = {**settings.LIBDESK, "EVENT_CONTACT_RETENTION_DAYS": 7}
    Registration.objects.all().delete()  # the demo's own, which end on other days
    event = make_event(capacity=1, days=2)
    for n in range(3):
        services.register(event.pk, anyone(n))
    purge = purges()["programs.registrations"]
    with clock.travel_to(event.ends_at + timedelta(days=6)):
        assert purge() == 0
    with clock.travel_to(event.ends_at + timedelta(days=7, minutes=1)):
        assert purge() == 3
        assert purge() == 0  # run again: nothing left to do
    assert not Registration.objects.filter(event=event).exists()
    event.refresh_from_db()
    assert (event.final_registered, event.final_waitlisted) == (1, 2)
