"""Two people taking the last place at the same moment: one is registered, the other waits in
line, never both registered (real threads, real database; the event's row is locked and the
places counted inside the lock)."""

import threading

import pytest
from django.db import connection

from libdesk.programs import services
from libdesk.programs.models import Registration
from tests.programs.conftest import anyone

PEOPLE = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_last_seat_registrations_never_both_succeed(make_event, round_):
    event = make_event(capacity=PEOPLE - 1)
    for n in range(PEOPLE - 2):
        services.register(event.pk, anyone(n))  # one place left
    start, answers, errors = threading.Barrier(2), [], []

    def take_the_last_place(n):
        try:
            start.wait()
            answers.append(services.register(event.pk, anyone(n)).registration.status)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_the_last_place, args=(n,)) for n in (8, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(answers) == ["registered", "waitlisted"]
    registered = Registration.objects.filter(event=event, status="registered").count()
    assert registered == event.capacity
