"""Dates on pages in each language's long form: "1 February 2027", "1er février 2027" (the
first of a month is "1er" in French), never "2027-02-01" or "Feb. 1, 2027"."""

from datetime import date, timedelta

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _first_of_next_month() -> date:
    from libdesk.core import clock

    today = clock.now().date()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.mark.parametrize(
    ("language", "first", "fifteenth"),
    [
        ("en", "{d} {month_en} {y}", "15 {month_en} {y}"),
        ("fr", "1er {month_fr} {y}", "15 {month_fr} {y}"),
    ],
)
def test_closed_days_show_in_the_long_form_of_each_language(
    demo_library, language, first, fifteenth
):
    from libdesk.library.models import ClosedDay

    day = _first_of_next_month()
    ClosedDay.objects.filter(date__in=[day, day.replace(day=15)]).delete()
    ClosedDay.objects.create(date=day, name="Staff training")
    ClosedDay.objects.create(date=day.replace(day=15), name="Inventory")
    months_en = ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]  # fmt: skip
    months_fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    names = {"d": 1, "y": day.year, "month_en": months_en[day.month - 1],
             "month_fr": months_fr[day.month - 1]}  # fmt: skip

    client = Client()
    client.cookies["libdesk_language"] = language
    page = client.get("/branches/").content.decode()

    assert f"{first.format(**names)}: Staff training" in page
    assert f"{fifteenth.format(**names)}: Inventory" in page
    assert day.isoformat() not in page
    if language == "fr":
        assert f"1 {names['month_fr']}" not in page


def test_the_api_keeps_iso_dates(demo_library, patron_token):
    from tests.conftest import bearer

    token = patron_token()
    response = Client().get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    expires = response.json()["card_expires"]
    assert date.fromisoformat(expires)
