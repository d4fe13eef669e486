"""A patron with something in every kind of patron data libdesk keeps, made through the real
services, and with canary details (name, card, e-mail, phone) that appear nowhere else: what
an export must show, and what a closed account must leave nowhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from tests.conftest import bearer

CANARY_NAME = "Quintessa Larkspurvale"
CANARY_CARD = "29000000099901"
CANARY_EMAIL = "quintessa.larkspurvale@example.org"
CANARY_PHONE = "807-555-0199"
CANARY_PIN = "4321"
CANARY_STAFF = ("canary-staffer", "Zebulon", "Marchbankson")
# A note left at the desk for the next visit, with the canary's phone in it: closing must
# leave it nowhere.
DESK_NOTE = f"Call {CANARY_PHONE} when the large-print atlas arrives"
CANARY_LIST = "Quintessa's Larkspurvale picks"


@dataclass
class World:
    patron: object
    token: str
    staff: object
    workstation: object
    desk: object
    on_loan: object  # the copy still on loan
    fee: object  # a damage charge, partly paid
    hold_copy: object  # a copy set aside for the patron's hold


def canary_staff():
    from libdesk.accounts.models import StaffUser

    username, first, last = CANARY_STAFF
    return StaffUser.objects.create_user(
        username=username,
        password="canary-staff-pw",
        role="clerk",
        first_name=first,
        last_name=last,
    )


def build(client: Client, shelf) -> World:
    from libdesk.access.purposes import Access
    from libdesk.accounts.models import Workstation
    from libdesk.circulation import notices, services
    from libdesk.circulation.desk import Desk, OverrideRequest
    from libdesk.core import clock
    from libdesk.patrons import services as patrons
    from libdesk.patrons.models import Patron
    from libdesk.patrons.notes import add_note
    from libdesk.patrons.services import PatronDetails
    from libdesk.privacy.services import open_serving_context, serving_access
    from libdesk.rights.services import ask_correction
    from tests.conftest import AVERY, BEATRICE, JORDAN

    staff, station = canary_staff(), Workstation.objects.get(name="MAIN-DESK-1")
    desk = Desk.staff_at(staff, station)
    patron = patrons.register_patron(
        staff,
        station,
        PatronDetails(
            name=CANARY_NAME,
            card_number=CANARY_CARD,
            category="child",
            home_branch="MAIN",
            card_expires=clock.today() + timedelta(days=700),
            email=CANARY_EMAIL,
            phone=CANARY_PHONE,
            birth_date=clock.today().replace(year=clock.today().year - 10),
            pin=CANARY_PIN,
        ),
    )
    # at the desk: opened on the card, a guardian linked
    context = open_serving_context(staff, station, basis="card_presented", card=CANARY_CARD)
    patrons.link_guardian(serving_access(context), JORDAN)
    add_note(serving_access(context), DESK_NOTE)
    # a wrong PIN (a sign-in pause's count), then the app signs in
    wrong = client.post(
        "/api/v1/auth/patron",
        {"patron_card": CANARY_CARD, "pin": "0000"},
        content_type="application/json",
    )
    assert wrong.status_code == 401
    signed_in = client.post(
        "/api/v1/auth/patron",
        {"patron_card": CANARY_CARD, "pin": CANARY_PIN},
        content_type="application/json",
    )
    token = signed_in.json()["token"]
    client.put(
        "/api/v1/me/consents",
        {"reading_history": True, "newsletters": True},
        content_type="application/json",
        **bearer(token),
    )
    # borrowed and returned (the reading history), borrowed now, returned damaged and charged
    returned = shelf.copy(shelf.record("A title read and returned"))
    services.checkout(desk, patron, returned.barcode)
    services.checkin(desk, returned.barcode)
    on_loan = shelf.copy(shelf.record("A title on loan now"))
    loan = services.checkout(desk, patron, on_loan.barcode).loan
    services.extend_due(
        desk,
        loan,
        loan.due + timedelta(days=7),
        OverrideRequest("accessibility", "more time to read"),
    )
    notices.deliver("due_soon", loan.pk)
    damaged = shelf.copy(shelf.record("A title returned damaged"))
    services.checkout(desk, patron, damaged.barcode)
    charged = services.return_damaged(desk, damaged.barcode, Decimal("3.00"), "torn cover")
    services.pay(desk, charged.fee, Decimal("1.00"))
    # a hold on a title whose only copy comes back and is set aside for the patron, with
    # Avery next in line
    wanted = shelf.record("A title on hold")
    hold_copy = shelf.copy(wanted)
    services.checkout(desk, Patron.objects.get(card_number=BEATRICE), hold_copy.barcode)
    services.place_hold(desk, patron, pickup_branch=desk.branch, record=wanted)
    avery = Patron.objects.get(card_number=AVERY)
    services.place_hold(desk, avery, pickup_branch=desk.branch, record=wanted)
    services.checkin(desk, hold_copy.barcode)
    # a purchase suggestion and a correction request
    services.submit_request(
        desk, patron, kind="purchase", pickup_branch=desk.branch, title="A title wished for"
    )
    ask_correction(Access.own(patron.pk), "My phone number has changed.")
    # a question to a librarian, linked to the account, with contact details
    client.post(
        "/api/v1/reference/questions",
        {
            "text": "Where can I read about the town's first school?",
            "topic": "local_history",
            "contact_email": CANARY_EMAIL,
            "contact_phone": CANARY_PHONE,
            "link_to_my_account": True,
        },
        content_type="application/json",
        **bearer(token),
    )
    # a comment on a desk visit, signed, rated, wanting a reply
    client.post(
        "/api/v1/feedback",
        {
            "text": "The desk staff found what I needed.",
            "service": "desk_visit",
            "rating": 5,
            "sign": True,
            "wants_reply": True,
        },
        content_type="application/json",
        **bearer(token),
    )
    register_for_a_program(client, token, station)
    on_the_web(shelf)
    at_the_kiosk(patron, charged.fee)
    on_the_newsletter(patron)
    return World(patron, token, staff, station, desk, on_loan, charged.fee, hold_copy)


def on_the_web(shelf) -> None:
    """Signed in on the web: a saved list with a record on it, made from the record page, and
    no event notices."""
    record = shelf.record("A title saved for later")
    shelf.copy(record)
    web = Client()
    assert (
        web.post("/account/sign-in/", {"card": CANARY_CARD, "pin": CANARY_PIN}).status_code == 302
    )
    saved = web.post(
        "/account/lists/add/",
        {"record_id": record.pk, "name": CANARY_LIST, "next": f"/records/{record.pk}/"},
    )
    assert saved.status_code == 302
    chosen = web.post(
        "/account/",
        {"form": "notices", "hold_ready": "email", "overdue": "phone", "events": "none"},
    )
    assert chosen.status_code == 302, chosen.content.decode()[:300]


def register_for_a_program(client: Client, token: str, station) -> None:
    """A place at an upcoming program, taken with the account over the API."""
    from libdesk.accounts.models import StaffUser
    from libdesk.core import clock
    from libdesk.programs import services as programs

    librarian = StaffUser.objects.get(username="librarian")
    starts = clock.now() + timedelta(days=4)
    details = programs.EventDetails(
        title_en="A program one registered for",
        audience="adults",
        branch="MAIN",
        organizer_id=librarian.pk,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=10,
    )
    event = programs.create_event(librarian, station, details)
    made = client.post(
        f"/api/v1/events/{event.pk}/registrations", {}, content_type="application/json",
        **bearer(token),
    )  # fmt: skip
    assert made.status_code == 201, made.content


KIOSK_MESSAGE = "Card kept by the door kiosk"
KIOSK_UNKNOWN_BARCODE = "39999999999901"


def kiosk_desk():
    """The demo's kiosk terminal acting, as the SIP2 server's handlers make it act."""
    from libdesk.audit.actors import Actor
    from libdesk.audit.models import ActorKind
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.models import Via
    from libdesk.sip2.models import Terminal

    terminal = Terminal.objects.select_related("branch").get(login="kiosk")
    actor = Actor(
        ActorKind.TERMINAL, str(terminal.pk), "terminal", terminal.login, terminal.branch.code
    )
    return Desk(actor, terminal.branch, Via.KIOSK)


def at_the_kiosk(patron, fee) -> None:
    """At the self-check machine: part of the damage charge paid by card (a payment no member
    of staff took), an offline loan of a barcode the library does not know (a conflict for
    staff), and at last the machine keeps the card (a block)."""
    from libdesk.circulation.desk import CirculationError
    from libdesk.circulation.services.fees import pay_at_kiosk
    from libdesk.circulation.services.offline import checkout_offline
    from libdesk.core import clock
    from libdesk.patrons.services import block_card

    kiosk = kiosk_desk()
    pay_at_kiosk(
        kiosk, patron.pk, Decimal("0.50"), method="card", transaction_id="T-1", fee_id=fee.pk
    )
    with pytest.raises(CirculationError):
        checkout_offline(kiosk, patron, KIOSK_UNKNOWN_BARCODE, at=clock.now(), due=None)
    block_card(kiosk.actor, patron.pk, terminal="kiosk", message=KIOSK_MESSAGE, retained=True)


def on_the_newsletter(patron) -> None:
    """An issue of the newsletter the patron asked for is mailed to them (the record of it),
    and the record has a contact person, as an organization's has (made directly: the
    service keeps contact persons to organizations, and the canary is a child)."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.core import clock
    from libdesk.outreach import mailing
    from libdesk.outreach import services as outreach
    from libdesk.outreach.models import OrganizationContact

    librarian = StaffUser.objects.get(username="librarian")
    station = Workstation.objects.get(name="MAIN-DESK-1")
    outreach.publish_announcement(
        librarian,
        station,
        title_en="Story time returns",
        title_fr="L'heure du conte revient",
        body_en="Saturdays at ten.",
        body_fr="Le samedi à dix heures.",
    )
    issue = outreach.compose_issue(
        librarian, station, title_en="News", title_fr="Nouvelles", sections=["news"]
    )
    outreach.send_issue(librarian, station, issue.pk, "http://testserver/")
    mailing.deliver_issue(issue.pk)  # the task, which runs once the sending commits
    OrganizationContact.objects.create(
        patron=patron,
        name=CANARY_NAME,
        role="Chair",
        email=CANARY_EMAIL,
        phone=CANARY_PHONE,
        updated_at=clock.now(),
    )


def date_of(value) -> date:
    return date.fromisoformat(value[:10])
