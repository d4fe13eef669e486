"""Search through its doors: the JSON API and the pages, on real and crafted records."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.models import Item, Record
from libdesk.catalog.search.follower import wait_until_indexed
from tests.catalog.marcdata import book, raw, write

pytestmark = pytest.mark.django_db
KNOWN_ITEMS = json.loads((Path(__file__).parent / "known_items.json").read_text())


@pytest.fixture
def shelf(tmp_path, demo_library):
    """A few crafted books with items at both branches, imported and indexed."""
    records = [
        book(
            "c1",
            "Grover Cleveland",
            subtitle="our twenty-second president",
            author="Gaines, Ann",
            isbn="1567668593",
            year=2002,
            subjects=("Presidents",),
        ),
        book("c2", "Müller's garden", author="Müller, Hans", year=1999, subjects=("Gardening",)),
        book(
            "c3",
            "The art of gardening",
            author="Smith, Jo",
            year=2015,
            lccn="2015012345",
            subjects=("Gardening",),
        ),
        book(
            "c4",
            "Gardening in large print",
            author="Smith, Jo",
            year=2016,
            form="d",
            subjects=("Gardening",),
        ),
        book(
            "c5",
            "Jardinage",
            author="Dupont, Claire",
            year=2010,
            lang="fre",
            subjects=("Gardening",),
        ),
    ]
    import_file(write(tmp_path / "shelf.mrc", [raw(r) for r in records]))
    rows = [
        ("39000000009001", "c1", "MAIN", "available"),
        ("39000000009002", "c2", "KEEW", "available"),
        ("39000000009003", "c3", "MAIN", "on_loan"),
        ("39000000009004", "c3", "KEEW", "available"),
        ("39000000009005", "c4", "MAIN", "available"),
    ]
    store_items(
        [
            {
                "barcode": b,
                "control_number": c,
                "branch": br,
                "location": "Stacks",
                "call_number": f"635 {c.upper()}",
                "collection": "Adult",
                "status": s,
            }
            for b, c, br, s in rows
        ],
        source="test",
    )
    wait_until_indexed()


def api(client, **params):
    response = client.get("/api/v1/catalog/search", params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(data) -> list[str]:
    return [r["title"] for r in data["results"]]


def test_free_text_with_availability_per_branch(client, shelf):
    data = api(client, q="art of gardening")
    assert data["total"] == 1 and not data["exact"]
    result = data["results"][0]
    assert result["control_number"] == "c3" and result["authors"] == ["Smith, Jo"]
    assert result["availability"] == [
        {"branch": "KEEW", "available": 1, "total": 1},
        {"branch": "MAIN", "available": 0, "total": 1},
    ]


def test_a_pasted_title_with_a_colon_works(client, shelf):
    assert titles(api(client, q="Grover Cleveland: our twenty-second president")) == [
        "Grover Cleveland"
    ]


@pytest.mark.parametrize("query", ["Müller", "müller", "Muller", "MULLER"])
def test_accents_and_case_do_not_matter(client, shelf, query):
    assert titles(api(client, q=query)) == ["Müller's garden"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:gardening", {"The art of gardening", "Gardening in large print"}),
        ("author:smith", {"The art of gardening", "Gardening in large print"}),
        ("subject:presidents", {"Grover Cleveland"}),
        ('"art of gardening"', {"The art of gardening"}),
        (
            "garde*",
            {"The art of gardening", "Gardening in large print", "Müller's garden", "Jardinage"},
        ),  # its subject is Gardening
    ],
)
def test_fields_phrases_and_prefixes(client, shelf, query, expected):
    assert set(titles(api(client, q=query))) == expected


@pytest.mark.parametrize(
    "query", ["1567668593", "156766859-3", "978-1-56766-859-9", "isbn:1567668593", "39000000009001"]
)
def test_an_identifier_goes_straight_to_its_record(client, shelf, query):
    data = api(client, q=query)
    assert data["exact"] and titles(data) == ["Grover Cleveland"]


def test_an_lccn_goes_straight_to_its_record(client, shelf):
    assert titles(api(client, q="2015012345")) == ["The art of gardening"]


def test_when_nothing_has_every_word_any_word_will_do_and_it_says_so(client, shelf):
    data = api(client, q="gardening zebras")
    assert data["relaxed"] and data["total"] >= 1


def test_facets_and_filters(client, shelf):
    data = api(client, q="gardening")
    facets = {
        name: {f["value"]: f["count"] for f in values} for name, values in data["facets"].items()
    }
    assert (
        facets["material_type"] == {"book": 2, "large_print": 1}
        or facets["material_type"]["large_print"] == 1
    )
    assert facets["language"]["fre"] == 1
    assert facets["available_at"] == {"KEEW": 2, "MAIN": 1}
    assert titles(api(client, q="gardening", material_type="large_print")) == [
        "Gardening in large print"
    ]
    assert titles(api(client, q="gardening", language="fre")) == ["Jardinage"]
    assert set(titles(api(client, q="gardening", available_at="MAIN"))) == {
        "Gardening in large print"
    }
    assert titles(api(client, q="gardening", year_from=2011, year_to=2015)) == [
        "The art of gardening"
    ]


def test_sorts_and_paging(client, shelf):
    newest = titles(api(client, q="gardening", sort="newest"))
    assert (
        newest[0] == "Gardening in large print" and newest[-1] == "Müller's garden"
    ) or newest.index("Gardening in large print") < newest.index("Jardinage")
    by_title = titles(api(client, q="gardening", sort="title"))
    assert by_title == sorted(by_title, key=str.casefold)
    first = api(client, q="gardening", limit=2, page=1)
    second = api(client, q="gardening", limit=2, page=2)
    assert first["total"] == second["total"] == 4
    assert not set(titles(first)) & set(titles(second))


def test_bad_parameters_are_422(client, shelf):
    for params in ({"limit": 101}, {"page": 0}, {"sort": "random"}):
        assert client.get("/api/v1/catalog/search", params).status_code == 422


def test_a_record_as_json_and_as_marcxml(client, shelf):
    record = Record.objects.get(control_number="c2")
    data = client.get(f"/api/v1/catalog/records/{record.pk}").json()
    assert data["title"] == "Müller's garden" and data["subjects"] == ["Gardening"]
    xml = client.get(f"/api/v1/catalog/records/{record.pk}?format=marcxml")
    assert xml["Content-Type"].startswith("application/marcxml+xml")
    assert "Müller" in xml.content.decode()
    assert client.get("/api/v1/catalog/records/999999").status_code == 404


def test_the_available_now_facet_follows_an_item_edit(
    client, shelf, staff_client, django_capture_on_commit_callbacks
):
    item = Item.objects.get(barcode="39000000009005")
    clerk = staff_client("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            f"/staff/catalog/items/{item.pk}/",
            {
                f"i{item.pk}-branch": "MAIN",
                f"i{item.pk}-location": "Stacks",
                f"i{item.pk}-call_number": "635 C4",
                f"i{item.pk}-collection": "Adult",
                f"i{item.pk}-status": "in_repair",
            },
        )
    assert response.status_code == 302
    assert titles(api(client, q="gardening", available_at="MAIN")) == []
    assert Item.objects.get(pk=item.pk).status == "in_repair"


def test_search_page_with_facets_paging_and_kind_no_results(client, shelf):
    page = unescape(client.get("/search/", {"q": "gardening"}).content.decode())
    assert "Results 1–4 of 4" in page and "Large print" in page
    assert "Available now at" in page
    empty = unescape(client.get("/search/", {"q": "zebra quokka"}).content.decode())
    assert "We could not find anything for “zebra quokka”." in empty
    assert "broader searches" not in empty  # none of them would find anything either
    narrowed = {"q": "jardinage", "language": "eng", "year_to": 2012}
    empty = unescape(client.get("/search/", narrowed).content.decode())
    assert "These broader searches find something" in empty
    assert "Without the filter Language: English</a> (1 result)" in empty
    assert "Without the filter Published up to" not in empty  # tried: finds nothing


def test_an_isbn_in_the_search_box_opens_the_record(client, shelf):
    response = client.get("/search/", {"q": "1567668593"})
    record = Record.objects.get(control_number="c1")
    assert response.status_code == 302 and response["Location"] == f"/records/{record.pk}/"


def test_record_page_shows_copies_editions_and_json_ld(client, shelf):
    record = Record.objects.get(control_number="c3")
    page = unescape(client.get(f"/records/{record.pk}/").content.decode())
    assert "635 C3" in page and "On loan" in page and "Available" in page
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert ld["@type"] == "Book" and ld["name"] == "The art of gardening"
    assert ld["author"] == [{"@type": "Person", "name": "Smith, Jo"}]


def test_other_editions_of_the_same_work_are_offered(client, tmp_path, demo_library):
    import_file(
        write(
            tmp_path / "ed.mrc",
            [
                raw(book("e1", "The tempest", author="Shakespeare, William", year=1990)),
                raw(book("e2", "The tempest", author="Shakespeare, William", year=2010, form="d")),
            ],
        )
    )
    first = Record.objects.get(control_number="e1")
    page = client.get(f"/records/{first.pk}/").content.decode()
    assert "Other editions and formats" in page and "Large print" in page
    data = client.get(f"/api/v1/catalog/records/{first.pk}").json()
    assert data["other_editions"] == [Record.objects.get(control_number="e2").pk]


def test_known_items_are_found_in_the_first_five(client, demo_catalogue, settings):
    """The relevance target: at least 95% of real known-item queries put the record in the
    first five results. (Hundreds of searches from one address: the per-address search
    limit is lifted for this run.)"""
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_LIMIT": len(KNOWN_ITEMS) + 1}
    assert len(KNOWN_ITEMS) >= 100
    misses = []
    for known in KNOWN_ITEMS:
        data = api(client, q=known["query"], limit=5)
        if known["control_number"] not in [r["control_number"] for r in data["results"]]:
            misses.append(known)
    found = 1 - len(misses) / len(KNOWN_ITEMS)
    assert found >= 0.95, f"{found:.1%} found; first misses: {misses[:5]}"


def test_the_demo_catalogue_first_hundred_barcodes(demo_catalogue):
    first = Item.objects.filter(barcode__gte="39000000000001", barcode__lte="39000000000100")
    assert first.count() == 100
    assert set(first.values_list("branch__code", "status")) == {("MAIN", "available")}
    assert first.values("record").distinct().count() == 100
    assert set(first.values_list("record__material_type", flat=True)) == {"book"}


def test_facets_are_named_like_the_filters(client, shelf):
    facets = api(client, q="gardening")["facets"]
    assert {"material_type", "language", "audience", "subject", "available_at", "decade"} == set(
        facets
    )
    assert {"value": "Gardening", "count": 4} in facets["subject"]


def test_reindex_rebuilds_the_index_from_the_database(client, shelf, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_DIR": tmp_path / "fresh-index"}
    assert api(client, q="gardening")["total"] == 0  # an empty index
    out = StringIO()
    call_command("catalog", "reindex", stdout=out)
    assert "reindexed 5 records" in out.getvalue()
    assert api(client, q="gardening")["total"] == 4


def test_facet_labels_are_words_not_codes(client, shelf):
    page = unescape(client.get("/search/", {"q": "gardening"}).content.decode())
    facets = page.split('class="facets"')[1].split("</aside>")[0]
    assert "Keewatin" in facets and "English" in facets and "French" in facets
    assert ">fre<" not in facets and ">KEEW<" not in facets
