"""Consent as a service (patrons.services.set_consents): only the access table decides who may
give or withdraw it, each change is recorded once with its policy version, and withdrawing
removes what depended on it in the same transaction."""

import pytest

from libdesk.access.purposes import Access
from libdesk.access.table import AccessDenied
from libdesk.patrons import selectors, services
from libdesk.patrons.models import ConsentRecord, Patron
from libdesk.patrons.services import PatronError
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db


@pytest.fixture
def avery(demo_library):
    return Patron.objects.get(card_number=AVERY)


def test_staff_serving_a_patron_cannot_consent_for_them(avery):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.privacy.services import open_serving_context, serving_access

    context = open_serving_context(
        StaffUser.objects.get(username="librarian"),
        Workstation.objects.get(name="MAIN-DESK-1"),
        basis="card_presented",
        card=AVERY,
    )
    with pytest.raises(AccessDenied):
        services.set_consents(serving_access(context), {"reading_history": True}, "desk")
    assert not ConsentRecord.objects.exists()


def test_an_unknown_purpose_or_channel_is_refused_by_name(avery):
    own = Access.own(avery.pk)
    with pytest.raises(PatronError) as error:
        services.set_consents(own, {"advertising": True}, "web")
    assert error.value.field == "advertising"
    with pytest.raises(PatronError) as error:
        services.set_consents(own, {"newsletters": True}, "carrier pigeon")
    assert error.value.field == "channel"
    assert not ConsentRecord.objects.exists()


def test_each_change_is_recorded_once_with_the_policy_in_force(avery):
    own = Access.own(avery.pk)
    added = services.set_consents(own, {"newsletters": True, "reading_history": False}, "web")
    assert [(r.purpose, r.given, r.policy_version) for r in added] == [
        ("newsletters", True, "OP-02-01-01 v1")
    ]  # "no" to something never asked is no change
    assert services.set_consents(own, {"newsletters": True}, "api") == []
    now = selectors.consents(own)
    assert now["newsletters"].given and now["reading_history"] is None
    assert selectors.has_consented(avery.pk, "newsletters")
    assert not selectors.has_consented(avery.pk, "reading_history")


def test_what_depends_on_a_consent_goes_with_it_or_nothing_changes(avery):
    own = Access.own(avery.pk)
    services.set_consents(own, {"newsletters": True}, "web")
    forgotten = []

    def forget(patron_id: int) -> None:
        forgotten.append(patron_id)
        raise RuntimeError("the dependent store could not forget")

    services.on_consent_withdrawn("newsletters", forget)
    try:
        with pytest.raises(RuntimeError):
            services.set_consents(own, {"newsletters": False}, "web")
    finally:
        services._on_withdrawn["newsletters"].remove(forget)
    assert forgotten == [avery.pk]
    # the withdrawal rolled back with the store that failed: the answer is still yes
    assert selectors.has_consented(avery.pk, "newsletters")
    assert ConsentRecord.objects.count() == 1
