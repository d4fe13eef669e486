"""Programs' fixtures: an event made through the service, by the demo's librarian, soon."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def make_event(demo_library):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.core import clock
    from libdesk.programs import services

    def make(capacity: int | None = 2, *, days: int = 3, organizer: str = "librarian", **extra):
        staff = StaffUser.objects.get(username=organizer)
        starts = clock.now() + timedelta(days=days)
        details = services.EventDetails(
            title_en=extra.pop("title_en", "Puppet show"),
            title_fr=extra.pop("title_fr", "Spectacle de marionnettes"),
            audience=extra.pop("audience", "children"),
            branch=extra.pop("branch", "MAIN"),
            room="Children's room",
            organizer_id=staff.pk,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            registration_required=capacity is not None,
            capacity=capacity,
            **extra,
        )
        return services.create_event(staff, Workstation.objects.get(name="MAIN-DESK-1"), details)

    return make


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what a change leaves for after its commit (mail, tasks) inside the test."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def anyone(n: int, language: str = "en"):
    from libdesk.programs.services import Registrant

    return Registrant(name=f"Visitor {'ABCDEFGHIJ'[n]}", contact=f"visitor{n}@example.org",
                      language=language)  # fmt: skip
