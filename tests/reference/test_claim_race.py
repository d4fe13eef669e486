"""Librarians pressing "next" at the same moment each get a different question: the claim is
one conditional update, so no question is ever claimed twice (real threads, real database)."""

import threading

import pytest
from django.db import connection

from libdesk.accounts.models import StaffUser, Workstation
from libdesk.reference import services
from libdesk.reference.models import Question
from tests.conftest import DEMO_PASSWORD

LIBRARIANS = 4


@pytest.mark.django_db(transaction=True)
def test_librarians_claiming_at_once_never_get_the_same_question(demo_library):
    station = Workstation.objects.get(name="MAIN-DESK-1")
    staff = [
        StaffUser.objects.create_user(username=f"lib{i}", password=DEMO_PASSWORD, role="librarian")
        for i in range(LIBRARIANS)
    ]
    for i in range(LIBRARIANS + 1):
        services.ask("web", f"Question {i}", "other")
    start, claimed, errors = threading.Barrier(LIBRARIANS), [], []

    def press_next(librarian):
        try:
            start.wait()
            question = services.claim_next(librarian, station)
            claimed.append(question.pk if question else None)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_next, args=(lib,)) for lib in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    oldest = list(Question.objects.order_by("asked_at", "pk").values_list("pk", flat=True))
    assert sorted(claimed) == oldest[:LIBRARIANS]
    owners = Question.objects.exclude(claimed_by=None).values_list("claimed_by", flat=True)
    assert sorted(owners) == sorted(s.pk for s in staff)
