"""The patron's catalogue through its pages: numbered result pages, a hold from a result,
"did you mean", broader searches that find something, and language names in facets."""

import re
from html import unescape

import pytest
from django.utils import translation

from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.languages import language_name
from libdesk.catalog.models import Record
from libdesk.catalog.search.follower import wait_until_indexed
from libdesk.circulation.models import Hold
from tests.catalog.marcdata import book, raw, write
from tests.conftest import AVERY, PINS

pytestmark = pytest.mark.django_db
HISTORIES = 45


@pytest.fixture
def stacks(tmp_path, demo_library, settings):
    """45 histories (three pages), a Dutch and a Korean book, each with a copy, indexed."""
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_LIMIT": 500}
    records = [
        book(f"h{n:03d}", f"A history of place {n}", author="Writer, Wes", year=1950 + n)
        for n in range(HISTORIES)
    ]
    records += [
        book("d1", "Geschiedenis van Nederland", author="Jansen, Piet", lang="dut"),
        book("k1", "Korean gardens", author="Kim, Min", lang="kor", subjects=("Gardens",)),
        book("s1", "Tulips", author="Bloom, Iris", subjects=("Gardens",)),
    ]
    import_file(write(tmp_path / "stacks.mrc", [raw(r) for r in records]))
    store_items(
        [
            {
                "barcode": f"3900000008{n:04d}",
                "control_number": record["001"].data,
                "branch": "MAIN",
                "location": "Stacks",
                "call_number": f"900.{n}",
                "collection": "Adult",
                "status": "available",
            }
            for n, record in enumerate(records)
        ],
        source="test",
    )
    wait_until_indexed()


def page(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content.decode()[:500]
    return unescape(response.content.decode())


def links(html: str, cls: str) -> list[tuple[str, str]]:
    """(href, text) of the links inside the element of this class."""
    block = re.search(rf'class="{cls}".*?</(?:nav|ul|p)>', html, re.S).group(0)
    return [
        (unescape(href), re.sub(r"<[^>]+>", "", text).strip())
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', block, re.S)
    ]


def test_results_have_numbered_pages_with_previous_and_next(client, stacks):
    first = page(client, q="history")
    assert "Results 1–20 of 45" in first
    pager = links(first, "pager")
    assert [text for _, text in pager] == ["Page 1", "Page 2", "Page 3", "Next page"]
    third = page(client, **dict(p.split("=") for p in pager[2][0][1:].split("&")))
    assert "Results 41–45 of 45" in third
    assert [text for _, text in links(third, "pager")] == [
        "Previous page",
        "Page 1",
        "Page 2",
        "Page 3",
    ]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>3' in third


def test_page_numbers_are_bounded_however_many_results(client, stacks, monkeypatch):
    from libdesk.catalog import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # 23 pages of histories
    html = page(client, q="history", page=12)
    numbers = [text for _, text in links(html, "pager") if text.startswith("Page")]
    assert numbers == ["Page 1", "Page 10", "Page 11", "Page 12", "Page 13", "Page 14", "Page 23"]
    assert html.count("…") >= 2


def test_a_signed_in_patron_places_a_hold_from_a_result(client, stacks):
    assert "Sign in to place a hold" in page(client, q="tulips")
    client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    html = page(client, q="tulips gardens")
    form = re.search(r'<form method="post" action="/account/holds/new/".*?</form>', html, re.S)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    placed = client.post("/account/holds/new/", fields)
    assert placed.status_code == 200
    hold = Hold.objects.get()
    assert hold.record.title == "Tulips" and hold.patron.card_number == AVERY


def test_did_you_mean_offers_the_indexed_spelling_and_it_finds_them(client, stacks):
    html = page(client, q="histroy")
    assert "Did you mean history? (45 results)" in re.sub(r"<[^>]+>", "", html)
    href = re.search(r'class="did-you-mean">.*?<a href="([^"]+)"', html, re.S).group(1)
    assert "Results 1–20 of 45" in page(client, q=dict([href[1:].split("=")])["q"])


def test_no_suggestion_when_the_words_are_found_often(client, stacks):
    assert "Did you mean" not in page(client, q="history")


def test_a_search_with_no_result_lists_broader_searches_that_find_something(client, stacks):
    nothing = page(client, q="title:writer")
    assert "Nothing found" in nothing
    offered = links(nothing, "broader")
    assert offered, "a no-result page promising broader searches lists some"
    for href, text in offered:
        assert "Nothing found" not in page(client, **_params(href)), text
    assert ("?q=writer", "Search every field for writer") in offered
    filtered = page(client, q="tulips", language="kor")
    offered = dict((text, href) for href, text in links(filtered, "broader"))
    assert "Without the filter Language: Korean" in offered
    assert "Tulips" in page(client, **_params(offered["Without the filter Language: Korean"]))
    word = page(client, q="historyish")
    assert ("?q=history%2A", "Words beginning with history") in links(word, "broader")


def test_a_search_with_nothing_broader_promises_nothing(client, stacks):
    html = page(client, q="zzzzqqq")
    assert "Nothing found" in html and "broader" not in html


def _params(href: str) -> dict:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(href[1:]))


def test_facets_name_languages_in_the_page_language(client, stacks):
    html = page(client, q="gardens")
    facet = re.search(r"<h3>Language</h3>\s*<ul>(.*?)</ul>", html, re.S).group(1)
    assert "Korean" in facet and ">kor<" not in facet
    french = unescape(
        client.get("/search/", {"q": "geschiedenis"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    assert "Néerlandais" in french and ">dut<" not in french
    with translation.override("fr"):
        assert language_name("kor") == "Coréen"
    assert language_name("xyz") == "xyz"


def test_record_of_each_language_is_findable(stacks):
    assert Record.objects.filter(language="dut").count() == 1
