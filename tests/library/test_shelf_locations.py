"""Shelf locations in the page's language: items carry their location as text; a location
named in the library's table of shelf locations (which an administrator keeps in the admin
site, and the demo fills for its own) shows its French name on French pages, and the stored
text everywhere else, or when no French name is on record."""

import re
from html import unescape

import pytest
from django.test import Client

from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.models import Record
from libdesk.library.models import ShelfLocation
from tests.catalog.marcdata import book, raw, write
from tests.conftest import BEATRICE, PINS

pytestmark = pytest.mark.django_db

SHELVES = ["Adult non-fiction", "Local history room", "Children's picture books"]


@pytest.fixture
def shelved(tmp_path, demo_library) -> dict[str, int]:
    """One book on each shelf: its record's id by the shelf's name."""
    records = [book(f"s{n}", f"Shelved book {n}") for n in range(len(SHELVES))]
    import_file(write(tmp_path / "shelved.mrc", [raw(r) for r in records]))
    store_items(
        [
            {
                "barcode": f"3900000008{n:04d}",
                "control_number": f"s{n}",
                "branch": "MAIN",
                "location": shelf,
                "call_number": f"971.{n}",
                "collection": "General",
                "status": "available",
            }
            for n, shelf in enumerate(SHELVES)
        ],
        source="test",
    )
    return {shelf: Record.objects.get(control_number=f"s{n}").pk for n, shelf in enumerate(SHELVES)}


def _location_cells(client: Client, record_id: int) -> list[str]:
    response = client.get(f"/records/{record_id}/")
    assert response.status_code == 200
    html = unescape(response.content.decode())
    return re.findall(r'<td data-label="(?:Location|Emplacement)">([^<]*)</td>', html)


def _reader(language: str) -> Client:
    client = Client()
    client.cookies["libdesk_language"] = language
    return client


def test_the_demo_names_its_shelf_locations_in_french(demo_library):
    assert ShelfLocation.objects.get(name="Adult non-fiction").name_fr == "Documentaires adultes"


def test_a_french_patron_reads_the_french_name_of_a_copys_shelf(shelved):
    patron = Client()
    assert (
        patron.post("/account/sign-in/", {"card": BEATRICE, "pin": PINS[BEATRICE]}).status_code
        == 302
    )
    assert _location_cells(patron, shelved["Adult non-fiction"]) == ["Documentaires adultes"]


def test_english_pages_show_the_location_as_items_carry_it(shelved):
    english = _reader("en")
    for shelf, record_id in shelved.items():
        assert _location_cells(english, record_id) == [shelf]


def test_a_location_with_no_french_name_shows_its_stored_text(shelved):
    ShelfLocation.objects.create(name="Local history room", name_fr="")
    french = _reader("fr")
    assert _location_cells(french, shelved["Local history room"]) == ["Local history room"]
    # and one the table does not know at all
    assert _location_cells(french, shelved["Children's picture books"]) == [
        "Children's picture books"
    ]


def test_an_administrator_names_a_location_in_french_in_the_admin_site(shelved, staff_client):
    admin = staff_client("admin")
    added = admin.post(
        "/admin/library/shelflocation/add/",
        {"name": "Children's picture books", "name_fr": "Albums jeunesse"},
    )
    assert added.status_code == 302
    listed = unescape(admin.get("/admin/library/shelflocation/").content.decode())
    assert "Children's picture books" in listed and "Albums jeunesse" in listed
    assert _location_cells(_reader("fr"), shelved["Children's picture books"]) == [
        "Albums jeunesse"
    ]
    assert _location_cells(_reader("en"), shelved["Children's picture books"]) == [
        "Children's picture books"
    ]


def test_the_admin_site_refuses_a_location_named_twice(demo_library, staff_client):
    admin = staff_client("admin")
    again = admin.post(
        "/admin/library/shelflocation/add/",
        {"name": "Adult non-fiction", "name_fr": "Autre chose"},
    )
    assert again.status_code == 200  # the form again, with its error
    assert "already exists" in unescape(again.content.decode())
    assert ShelfLocation.objects.get(name="Adult non-fiction").name_fr == "Documentaires adultes"
