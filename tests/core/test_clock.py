from datetime import UTC, date, datetime, timedelta

import pytest

from libdesk.core import clock


def test_today_is_counted_in_the_librarys_time_zone():
    # 03:00 UTC on 28 November is still the evening of the 27th in Kenora (UTC-6).
    with clock.travel_to(datetime(2026, 11, 28, 3, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 11, 27)


def test_travel_to_a_date_freezes_noon_library_time():
    with clock.travel_to(date(2024, 2, 29)):
        assert clock.local_now().hour == 12
        assert clock.today() == date(2024, 2, 29)


def test_advance_moves_a_frozen_clock_and_the_freeze_ends_with_the_block():
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    with clock.travel_to(start):
        clock.advance(timedelta(days=3))
        assert clock.now() == start + timedelta(days=3)
    assert clock.now() > datetime(2026, 1, 1, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"), clock.travel_to(datetime(2025, 1, 1)):
        pass


def test_a_clock_frozen_in_the_librarys_zone_still_reads_utc_and_signs_verifiable_entries(db):
    from libdesk.audit import services as audit
    from libdesk.audit.actors import Actor
    from libdesk.audit.verification import verify

    local = datetime(2026, 3, 1, 9, 30, tzinfo=clock.library_zone())
    with clock.travel_to(local):
        assert clock.now() == local and clock.now().utcoffset() == timedelta(0)
        audit.record(Actor.system(), "test.clock", object_type="test", object_id=1)
    assert verify().ok
