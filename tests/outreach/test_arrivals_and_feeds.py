"""New arrivals: a public page filterable by subject and by format, and RSS 2.0 and Atom feeds
of each, valid XML with the elements each format requires, linked from the catalogue's pages
with <link rel="alternate">."""

import re
from html import unescape

import pytest
from defusedxml import ElementTree

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def arrivals(catalogue):
    return {
        "trains": catalogue.arrival("Trains of the north", subjects=("Railroads -- Ontario.",)),
        "film": catalogue.arrival("A film about lakes", material_type="dvd"),
        "old": catalogue.arrival("An old favourite", added_days_ago=400),
    }


def test_the_page_lists_what_arrived_lately(client, arrivals):
    page = unescape(client.get("/new-arrivals/").content.decode())
    assert "Trains of the north" in page and "A film about lakes" in page
    assert "An old favourite" not in page  # long on the shelves


def test_the_page_filters_by_subject_and_by_format(client, arrivals):
    by_subject = unescape(client.get("/new-arrivals/", {"subject": "railroads"}).content.decode())
    assert "Trains of the north" in by_subject and "A film about lakes" not in by_subject
    by_format = unescape(client.get("/new-arrivals/", {"format": "dvd"}).content.decode())
    assert "A film about lakes" in by_format and "Trains of the north" not in by_format


@pytest.mark.parametrize("query", [{"format": "scroll"}, {"subject": "s" * 201}])
def test_a_filter_out_of_bounds_names_nothing(client, demo_library, query):
    assert client.get("/new-arrivals/", query).status_code == 404
    assert client.get("/new-arrivals/rss/", query).status_code == 404


def test_copies_added_before_libdesk_knew_when_are_not_new(client, catalogue):
    from libdesk.catalog.models import Item

    record = catalogue.arrival("Undated copy")
    Item.objects.filter(record=record).update(added_at=None)
    assert "Undated copy" not in client.get("/new-arrivals/").content.decode()


def _xml(response):
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)


def test_the_rss_feed_is_valid_rss_2(client, arrivals):
    response = client.get("/new-arrivals/rss/", {"subject": "Railroads"})
    assert response["Content-Type"].startswith("application/rss+xml")
    rss = _xml(response)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), required
    assert channel.findtext("title") == "New arrivals: Railroads"
    (item,) = channel.findall("item")
    assert item.findtext("title") == "Trains of the north"
    assert item.findtext("link") == f"http://testserver/records/{arrivals['trains'].pk}/"
    assert item.findtext("pubDate") and item.findtext("guid")
    assert "Railroads" in [c.text for c in item.findall("category")]


def test_the_atom_feed_is_valid_atom(client, arrivals):
    response = client.get("/new-arrivals/atom/", {"format": "dvd"})
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = _xml(response)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{required}") or "").strip(), required
    assert feed.findtext(f"{ATOM}title") == "New arrivals: DVD or video"
    (entry,) = feed.findall(f"{ATOM}entry")
    for required in ("id", "title", "updated"):
        assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
    assert entry.findtext(f"{ATOM}title") == "A film about lakes"
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/records/{arrivals['film'].pk}/")


def test_an_empty_feed_is_still_valid(client, demo_library):
    channel = _xml(client.get("/new-arrivals/rss/")).find("channel")
    assert channel.findtext("title") == "New arrivals" and channel.findall("item") == []


ALTERNATE = re.compile(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" href="([^"]+)"')


def _alternates(page: str) -> list[str]:
    return ALTERNATE.findall(page)


def test_the_catalogue_pages_link_to_the_feeds(client, arrivals):
    search = client.get("/search/", {"material_type": "dvd"}).content.decode()
    assert "/new-arrivals/rss/?format=dvd" in _alternates(search)
    assert "/new-arrivals/atom/?format=dvd" in _alternates(search)
    record = client.get(f"/records/{arrivals['trains'].pk}/").content.decode()
    links = [unescape(link) for link in _alternates(record)]
    assert "/new-arrivals/rss/?subject=Railroads" in links
    assert "/new-arrivals/rss/?format=book" in links
    for link in links:  # every one of them answers a feed
        assert client.get(link).status_code == 200
    assert "/new-arrivals/rss/" in _alternates(client.get("/new-arrivals/").content.decode())


def test_the_page_and_feeds_cost_the_same_few_queries_however_many_arrived(
    client, catalogue, django_assert_max_num_queries
):
    for number in range(30):
        catalogue.arrival(f"Arrival {number}", subjects=(f"Subject {number % 3}",))
    with django_assert_max_num_queries(12):
        assert client.get("/new-arrivals/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/new-arrivals/rss/").status_code == 200
