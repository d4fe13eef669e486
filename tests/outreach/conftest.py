"""Outreach's fixtures: a catalogue that gains copies, librarians at the desk, patrons who ask
for the newsletter, and an organization (a school) with a contact person."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from tests.catalog.marcdata import book, raw
from tests.conftest import AVERY, BEATRICE, JORDAN

_controls = itertools.count(1)
_barcodes = itertools.count(32000000000001)


class Catalogue:
    """Records with subjects and formats, and copies added when the test says."""

    def record(self, title: str, *, subjects=("Testing",), material_type: str = "book"):
        from libdesk.catalog.importing import store_batch
        from libdesk.catalog.models import Record
        from libdesk.catalog.preparing import prepare_raw_batch

        control = f"o{next(_controls):06d}"
        data = raw(book(control, title, subjects=tuple(subjects)))
        store_batch(prepare_raw_batch([(1, 0, data)]), label="test")
        Record.objects.filter(control_number=control).update(material_type=material_type)
        return Record.objects.get(control_number=control)

    def copy(self, record, *, added_days_ago: int = 0, branch: str = "MAIN"):
        from libdesk.catalog.models import Item
        from libdesk.core import clock
        from libdesk.library.models import Branch

        return Item.objects.create(
            barcode=str(next(_barcodes)),
            record=record,
            branch=Branch.objects.get(code=branch),
            added_at=clock.now() - timedelta(days=added_days_ago),
        )

    def arrival(self, title: str, **kwargs):
        days = kwargs.pop("added_days_ago", 0)
        record = self.record(title, **kwargs)
        self.copy(record, added_days_ago=days)
        return record


@pytest.fixture
def catalogue(demo_library) -> Catalogue:
    return Catalogue()


@pytest.fixture
def librarian(demo_library):
    """The demo's librarian at MAIN-DESK-1, for calling the services."""
    from libdesk.accounts.models import StaffUser, Workstation

    return StaffUser.objects.get(username="librarian"), Workstation.objects.get(name="MAIN-DESK-1")


@pytest.fixture
def send(librarian, django_capture_on_commit_callbacks):
    """A librarian sends an issue; the mailing task runs when the sending commits."""
    from libdesk.outreach import services

    def run(issue, link_base: str = "http://testserver/"):
        staff, station = librarian
        with django_capture_on_commit_callbacks(execute=True):
            sent = services.send_issue(staff, station, issue.pk, link_base)
        return sent

    return run


def consent(card: str, given: bool = True) -> None:
    """The patron says yes (or no) to the newsletter in their own account."""
    from libdesk.access.purposes import Access
    from libdesk.patrons.models import Patron
    from libdesk.patrons.services import set_consents

    patron = Patron.objects.get(card_number=card)
    set_consents(Access.own(patron.pk), {"newsletters": given}, channel="web")


@pytest.fixture
def subscribers(demo_library):
    """Avery (English) and Béatrice (French) asked for the newsletter; Jordan asked, then
    withdrew; Sam never asked."""
    consent(AVERY)
    consent(BEATRICE)
    consent(JORDAN)
    consent(JORDAN, False)


SCHOOL_CARD = "29000000000500"
SCHOOL_EMAIL = "office@lakeside-school.example.org"
CONTACT_EMAIL = "m.whitefeather@lakeside-school.example.org"


@pytest.fixture
def school(demo_library):
    """A school registered as an organization patron."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.core import clock
    from libdesk.patrons.services import PatronDetails, register_patron

    clerk = StaffUser.objects.get(username="clerk")
    return register_patron(
        clerk,
        Workstation.objects.get(name="MAIN-DESK-1"),
        PatronDetails(
            name="Lakeside Public School",
            card_number=SCHOOL_CARD,
            category="organization",
            home_branch="MAIN",
            card_expires=clock.today() + timedelta(days=365),
            email=SCHOOL_EMAIL,
        ),
    )


def serving_access_for(card: str, username: str = "clerk"):
    """An Access of desk staff serving the patron of this card (opened on the card)."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.privacy.services import open_serving_context, serving_access

    staff = StaffUser.objects.get(username=username)
    station = Workstation.objects.get(name="MAIN-DESK-1")
    context = open_serving_context(staff, station, basis="card_presented", card=card)
    return serving_access(context)
