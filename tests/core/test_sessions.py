"""Session keys are stored hashed: the table holds nothing a browser could replay."""

import pytest
from django.contrib.sessions.models import Session

pytestmark = pytest.mark.django_db


def test_a_signed_in_session_works_and_its_key_is_not_in_the_database(staff_client):
    clerk = staff_client("clerk")
    cookie = clerk.cookies["sessionid"].value
    assert clerk.get("/staff/").status_code == 200
    keys = list(Session.objects.values_list("session_key", flat=True))
    assert keys and cookie not in keys
    assert all(cookie not in row.session_data for row in Session.objects.all())


def test_signing_out_deletes_the_stored_session(staff_client):
    clerk = staff_client("clerk")
    assert Session.objects.count() == 1
    clerk.post("/staff/sign-out/")
    assert Session.objects.count() == 0
