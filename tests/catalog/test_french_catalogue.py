"""The catalogue's pages in words, in French as in English: how many copies are available as
a proper plural ("2 exemplaires disponibles sur 3", never "1 sur 1 disponibles"), branches by
name rather than code, and audiences in words in the facets."""

import re
from html import unescape

import pytest

from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.models import Record
from libdesk.catalog.search.follower import wait_until_indexed
from tests.catalog.marcdata import book, raw, write

pytestmark = pytest.mark.django_db


def _for_children(record):
    """The book with MARC 008's target audience set to juvenile ("j")."""
    fixed = record["008"]
    fixed.data = fixed.data[:22] + "j" + fixed.data[23:]
    return record


@pytest.fixture
def copies(tmp_path, demo_library):
    """Three orchards: one copy on the shelf; three copies, two on the shelf; one copy out.
    Two editions of a juvenile book on ponds, each with a copy on the shelf."""
    records = [
        book("o1", "Orchards alone", author="Apfel, Ann"),
        book("o3", "Orchards in threes", author="Apfel, Ann"),
        book("o0", "Orchards out", author="Apfel, Ann"),
        _for_children(book("p1", "Ponds for children", author="Teich, Tom", year=1990)),
        _for_children(book("p2", "Ponds for children", author="Teich, Tom", year=2010)),
    ]
    import_file(write(tmp_path / "orchards.mrc", [raw(r) for r in records]))
    rows = [("o1", "available"), ("o3", "available"), ("o3", "available"), ("o3", "missing")]
    rows += [("o0", "missing"), ("p1", "available"), ("p2", "available")]
    store_items(
        [
            {
                "barcode": f"3900000009{n:04d}",
                "control_number": control,
                "branch": "MAIN",
                "location": "Stacks",
                "call_number": f"634.{n}",
                "collection": "Adult",
                "status": status,
            }
            for n, (control, status) in enumerate(rows)
        ],
        source="test",
    )
    wait_until_indexed()


def _page(client, path: str, language: str, **params) -> str:
    client.cookies["libdesk_language"] = language
    response = client.get(path, params)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def _availability(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", p).strip()
        for p in re.findall(r'<p class="availability">(.*?)</p>', html)
    ]


def test_copies_available_read_as_a_plural_in_each_language(client, copies):
    english = _availability(_page(client, "/search/", "en", q="orchards", sort="title"))
    assert english == [
        "Main: 1 of 1 copy available",
        "Main: 2 of 3 copies available",
        "Main: its one copy is not available now",
    ]
    french = _availability(_page(client, "/search/", "fr", q="orchards", sort="title"))
    assert french == [
        "Main : 1 exemplaire disponible sur 1",
        "Main : 2 exemplaires disponibles sur 3",
        "Main : son exemplaire n'est pas disponible en ce moment",
    ]
    assert not any("MAIN" in line or "sur 1 disponibles" in line for line in french)


def test_audiences_are_words_in_the_facets(client, copies):
    english = _page(client, "/search/", "en", q="ponds")
    facet = re.search(r"<h3>Audience</h3> ?<ul>(.*?)</ul>", english).group(1)
    assert ">Children<" in facet and ">children<" not in facet
    french = _page(client, "/search/", "fr", q="ponds")
    facet = re.search(r"<h3>Public</h3> ?<ul>(.*?)</ul>", french).group(1)
    assert ">Enfants<" in facet and ">children<" not in facet


def test_another_edition_names_its_branch(client, copies):
    older = Record.objects.get(control_number="p1")
    html = _page(client, f"/records/{older.pk}/", "fr")
    assert "disponible à Main" in html and "disponible à MAIN" not in html
