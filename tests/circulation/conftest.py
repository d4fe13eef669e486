"""A small shelf for circulation tests: records imported through the real importer's store
step, copies at the demo branches, and the demo desk staff."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest

from tests.catalog.marcdata import book, raw

_numbers = itertools.count(1)


@dataclass
class Shelf:
    """Makes records and copies; remembers them by a short name."""

    records: dict = field(default_factory=dict)
    barcodes: itertools.count = field(default_factory=lambda: itertools.count(31000000000001))

    def record(self, name: str, *, author: str = "Author, Ann", year: int = 2001, form: str = " "):
        from libdesk.catalog.importing import store_batch
        from libdesk.catalog.models import Record
        from libdesk.catalog.preparing import prepare_raw_batch

        control = f"t{next(_numbers):06d}"
        data = raw(book(control, name, author=author, year=year, form=form))
        store_batch(prepare_raw_batch([(1, 0, data)]), label="test")
        record = Record.objects.get(control_number=control)
        self.records[name] = record
        return record

    def copy(self, record, branch: str = "MAIN", status: str = "available"):
        from libdesk.catalog.models import Item
        from libdesk.library.models import Branch

        return Item.objects.create(
            barcode=str(next(self.barcodes)),
            record=record,
            branch=Branch.objects.get(code=branch),
            call_number="100.1",
            status=status,
        )


@pytest.fixture
def shelf(demo_library) -> Shelf:
    return Shelf()


@pytest.fixture
def desk(demo_library):
    """A clerk at MAIN (or at another workstation)."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation.desk import Desk

    def at(workstation: str = "MAIN-DESK-1", username: str = "clerk") -> Desk:
        return Desk.staff_at(
            StaffUser.objects.get(username=username), Workstation.objects.get(name=workstation)
        )

    return at


@pytest.fixture
def patron(demo_library):
    from libdesk.patrons.models import Patron

    def by_card(card: str):
        return Patron.objects.get(card_number=card)

    return by_card


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what a block queued for after commit (notices) when the block ends."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block
