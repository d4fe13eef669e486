"""Registering reads like the policy: places first come, first served; a full program puts
people in line, strictly in the order they joined; a cancellation gives the place to the first
in line, who is told, and may decline (the next one gets it)."""

from datetime import timedelta

import pytest
from django.core import mail

from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.patrons.models import Patron
from libdesk.programs import services
from libdesk.programs.models import Registration, Status
from libdesk.programs.services import Registrant
from tests.conftest import AVERY, BEATRICE
from tests.programs.conftest import anyone

pytestmark = pytest.mark.django_db


def _patron(card: str) -> Registrant:
    return Registrant(patron_id=Patron.objects.get(card_number=card).pk)


def test_places_are_given_first_come_then_the_line_forms(make_event):
    event = make_event(capacity=2)
    answers = [services.register(event.pk, anyone(n)) for n in range(4)]
    assert [a.registration.status for a in answers] == ["registered"] * 2 + ["waitlisted"] * 2
    assert [a.position for a in answers] == [None, None, 1, 2]
    assert answers[2].decision.code == "event_waitlisted"
    assert "number 1" in answers[2].decision.reason


def test_a_cancellation_promotes_the_first_in_line_and_tells_them(make_event, after_commit):
    event = make_event(capacity=1)
    first = services.register(event.pk, anyone(0))
    second, third = (services.register(event.pk, anyone(n)) for n in (1, 2))
    mail.outbox.clear()
    with after_commit():
        services.withdraw_by_token(first.cancel_token)
    second.registration.refresh_from_db()
    third.registration.refresh_from_db()
    assert second.registration.status == Status.REGISTERED
    assert second.registration.promoted_at is not None
    assert third.registration.status == Status.WAITLISTED
    assert services.position_of(third.registration) == 1
    assert [m.to for m in mail.outbox] == [["visitor1@example.org"]]
    assert "A place opened" in mail.outbox[0].subject


def test_the_waitlist_moves_strictly_in_the_order_people_joined(make_event):
    event = make_event(capacity=1)
    holder = services.register(event.pk, anyone(0))
    line = [services.register(event.pk, anyone(n)) for n in range(1, 5)]
    services.withdraw_by_token(line[1].cancel_token)  # the second in line leaves
    services.withdraw_by_token(holder.cancel_token)
    statuses = {r.name: r.status for r in Registration.objects.filter(event=event)}
    assert statuses["Visitor B"] == "registered"  # first in line, not a later one
    assert statuses["Visitor C"] == "cancelled"
    assert statuses["Visitor D"] == "waitlisted" and statuses["Visitor E"] == "waitlisted"


def test_a_promoted_person_can_decline_and_the_next_gets_the_place(make_event, after_commit):
    event = make_event(capacity=1)
    holder = services.register(event.pk, _patron(BEATRICE))
    promoted = services.register(event.pk, _patron(AVERY))
    nxt = services.register(event.pk, anyone(3))
    beatrice = Patron.objects.get(card_number=BEATRICE)
    services.withdraw_own(beatrice.pk, holder.registration.pk)
    mail.outbox.clear()
    with after_commit():
        declined = services.withdraw_own(promoted.registration.patron_id, promoted.registration.pk)
    assert declined.status == Status.DECLINED
    nxt.registration.refresh_from_db()
    assert nxt.registration.status == Status.REGISTERED
    assert [m.to for m in mail.outbox] == [["visitor3@example.org"]]


def test_a_patron_registers_with_their_account_once(make_event):
    event = make_event(capacity=5)
    services.register(event.pk, _patron(AVERY))
    with pytest.raises(Refused) as refused:
        services.register(event.pk, _patron(AVERY))
    assert refused.value.decision.code == "event_already_registered"
    registration = Registration.objects.get(event=event)
    assert registration.name == registration.contact_email == registration.contact_phone == ""


def test_whether_a_contact_is_registered_is_never_told_to_an_anonymous_caller(make_event):
    """Refusing a contact already registered would let anyone learn who goes to a program:
    an anonymous registration is never refused for it (a patron's account is, below)."""
    event = make_event(capacity=5)
    first = services.register(event.pk, Registrant(name="Kim", contact="807-555-0100"))
    again = services.register(event.pk, Registrant(name="Kim B", contact="(807) 555 0100"))
    assert again.registration.pk != first.registration.pk
    assert (again.registration.status, again.decision.code) == (
        first.registration.status,
        first.decision.code,
    )


@pytest.mark.parametrize(
    "name, contact",
    [
        ("Kim", "+29000000000001"),
        ("Kim", "29000000000003@example.org"),
        ("Jane 2900-0000-0000-02", "807-555-0100"),
        ("Kim", "2900 0000 0000 04"),
    ],
)
def test_a_card_number_typed_anywhere_by_an_anonymous_caller_is_refused(make_event, name, contact):
    event = make_event(capacity=5)
    with pytest.raises(InputError) as refused:
        services.register(event.pk, Registrant(name=name, contact=contact))
    assert refused.value.field in ("name", "contact")


def test_past_cancelled_and_drop_in_events_refuse_registration(make_event):
    past = make_event(capacity=5, days=1)
    with clock.travel_to(past.starts_at + timedelta(minutes=1)), pytest.raises(Refused) as late:
        services.register(past.pk, anyone(0))
    assert late.value.decision.code == "event_in_the_past"
    assert late.value.decision.clauses == ("OP-02-01-01/purpose",)
    drop_in = make_event(capacity=None)
    with pytest.raises(Refused, match="event_no_registration"):
        services.register(drop_in.pk, anyone(0))
    from libdesk.accounts.models import StaffUser

    librarian = StaffUser.objects.get(username="librarian")
    cancelled = make_event(capacity=5)
    services.cancel_event(librarian, None, cancelled.pk)
    with pytest.raises(Refused, match="event_cancelled"):
        services.register(cancelled.pk, anyone(0))


@pytest.mark.parametrize(
    ("name", "contact", "field"),
    [
        ("", "a@example.org", "name"),
        ("Kim", "", "contact"),
        ("Kim", "not an address@", "contact"),
        ("Kim", "12", "contact"),
        ("Kim", "29000000000001", "contact"),  # a card number, never typed anonymously
        ("Kim 29000000000001", "a@example.org", "name"),
    ],
)
def test_bad_input_names_the_field(make_event, name, contact, field):
    event = make_event()
    with pytest.raises(InputError) as error:
        services.register(event.pk, Registrant(name=name, contact=contact))
    assert error.value.field == field


def test_someone_elses_registration_is_not_found(make_event):
    event = make_event()
    mine = services.register(event.pk, _patron(AVERY))
    beatrice = Patron.objects.get(card_number=BEATRICE)
    with pytest.raises(NotFound):
        services.withdraw_own(beatrice.pk, mine.registration.pk)
    with pytest.raises(NotFound):
        services.withdraw_by_token("not-the-token")


def test_cancelling_twice_is_answered_with_a_decision(make_event):
    event = make_event()
    registered = services.register(event.pk, anyone(0))
    services.withdraw_by_token(registered.cancel_token)
    with pytest.raises(Refused, match="event_registration_ended"):
        services.withdraw_by_token(registered.cancel_token)


def test_more_places_go_to_the_line_and_fewer_never_take_one_back(make_event):
    from libdesk.accounts.models import StaffUser
    from libdesk.programs.forms import EventForm

    event = make_event(capacity=1)
    for n in range(3):
        services.register(event.pk, anyone(n))
    librarian = StaffUser.objects.get(username="librarian")
    form = EventForm(initial=EventForm.initial_for(event))
    details = services.EventDetails(
        **{
            **{k: v for k, v in form.initial.items() if k not in ("branch", "organizer")},
            "branch": "MAIN",
            "organizer_id": librarian.pk,
            "capacity": 2,
        }
    )
    services.edit_event(librarian, None, event.pk, details)
    assert event.registrations.filter(status="registered").count() == 2
    with pytest.raises(Refused) as refused:
        services.edit_event(librarian, None, event.pk, details.__class__(
            **{**details.__dict__, "capacity": 1}))  # fmt: skip
    assert refused.value.decision.code == "event_capacity_below_registered"


def test_the_confirmation_mail_carries_the_cancel_link_and_nothing_keeps_the_token(
    make_event, after_commit
):
    event = make_event()
    with after_commit():
        registered = services.register(
            event.pk, anyone(0), link=lambda token: f"https://library.example/c/{token}/"
        )
    assert registered.cancel_token in mail.outbox[-1].body
    row = Registration.objects.get(pk=registered.registration.pk)
    assert registered.cancel_token not in str(row.__dict__)


def test_only_the_organizer_hands_an_event_to_another_organizer(make_event, staff_client):
    """Otherwise the Head Librarian could make herself organizer and read who registered."""
    from libdesk.accounts.models import StaffUser

    event = make_event(capacity=5)
    head = StaffUser.objects.get(username="head")
    details = services.EventDetails(
        title_en=event.title_en, audience=event.audience, branch=event.branch.code,
        organizer_id=head.pk, starts_at=event.starts_at, ends_at=event.ends_at, capacity=5,
    )  # fmt: skip
    with pytest.raises(InputError) as refused:
        services.edit_event(head, None, event.pk, details)
    assert refused.value.field == "organizer"
    assert staff_client("head").get(f"/staff/events/{event.pk}/attendance/").status_code == 404


def test_a_title_is_one_line(make_event):
    from libdesk.accounts.models import StaffUser

    event = make_event(capacity=5)
    organizer = StaffUser.objects.get(pk=event.organizer_id)
    details = services.EventDetails(
        title_en="Book club\nBcc: someone@example.org", audience=event.audience,
        branch=event.branch.code, organizer_id=organizer.pk, starts_at=event.starts_at,
        ends_at=event.ends_at, capacity=5,
    )  # fmt: skip
    with pytest.raises(InputError) as refused:
        services.edit_event(organizer, None, event.pk, details)
    assert refused.value.field == "title_en"
