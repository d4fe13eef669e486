"""Holiday names in the page's language: the demo's statutory holidays come with their French
names, and staff closing a day may give one; French pages show it (the English one when none
was given)."""

from datetime import timedelta

import pytest
from django.test import Client

from libdesk.core import clock
from libdesk.library.models import ClosedDay

pytestmark = pytest.mark.django_db


def _page(path: str, language: str, client: Client | None = None) -> str:
    client = client or Client()
    client.cookies["libdesk_language"] = language
    return client.get(path).content.decode()


def test_the_demo_holidays_have_french_names(demo_library):
    new_year = ClosedDay.objects.filter(date__month=1, date__day=1).first()
    assert new_year.name == "New Year's Day"
    assert new_year.name_fr == "Jour de l'an"
    assert not ClosedDay.objects.filter(name_fr="").exists()


def test_a_closed_day_shows_in_each_language(demo_library, staff_client):
    day = clock.now().date() + timedelta(days=10)
    ClosedDay.objects.filter(date=day).delete()
    head = staff_client("head")
    response = head.post(
        "/staff/calendar/",
        {
            "form": "closed",
            "closed-date": day.isoformat(),
            "closed-name": "Flood repairs",
            "closed-name_fr": "Réparations après l'inondation",
        },
    )
    assert response.status_code == 302
    assert "Réparations après l&#x27;inondation" in _page("/branches/", "fr")
    assert "Flood repairs" not in _page("/branches/", "fr")
    assert "Flood repairs" in _page("/branches/", "en")
    assert "Réparations après l&#x27;inondation" in _page("/staff/calendar/", "fr", head)


def test_without_a_french_name_french_pages_show_the_english_one(demo_library):
    day = clock.now().date() + timedelta(days=11)
    ClosedDay.objects.filter(date=day).delete()
    ClosedDay.objects.create(date=day, name="Staff training")
    assert "Staff training" in _page("/branches/", "fr")
