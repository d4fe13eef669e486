"""Stores kept by the doors plug into the domain's promises through core.housekeeping: the
API's stored replies go when their loan loses its patron and after a day in any case, without
circulation importing the API (core.retention)."""

from datetime import timedelta

import pytest

from libdesk.api.models import IdempotentReply
from libdesk.circulation.jobs import run_jobs
from libdesk.core import clock
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db


def test_a_reply_older_than_a_day_goes_with_the_daily_jobs(client, shelf, staff_token, serving):
    item = shelf.copy(shelf.record("Kept a day"))
    client.post(
        "/api/v1/circulation/checkout",
        {"item_barcode": item.barcode},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="once",
        **serving(staff_token(), AVERY),
    )
    assert IdempotentReply.objects.count() == 1
    assert run_jobs()["api.replies"] == 0
    with clock.travel_to(clock.now() + timedelta(hours=25)):
        assert run_jobs()["api.replies"] == 1
    assert not IdempotentReply.objects.exists()
