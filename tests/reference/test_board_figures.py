"""The reference desk's figures as the board uses them: a chart per group (server-drawn SVG,
one bar per figure), the same numbers in tables, a CSV a spreadsheet opens with the page's
figures, and words (channels, topics, effort levels), never stored codes, in either language."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from libdesk.core import clock
from tests.figure_pages import bars, chart_titled, csv_rows, table_rows, visible_text
from tests.html_ids import dangling_references

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
PERIOD = {"since": "2026-03-01", "until": "2026-03-31"}
CODES = ("in_person", "local_history", "health", "law", "email")
GROUPS = (
    "Questions per channel",
    "Questions per topic",
    "Questions asked, and those answered late",
)
EFFORT = "Effort, on the READ scale (1 a quick fact, 6 days of research)"
TIMES = "Response times, in hours"


@pytest.fixture
def head(desk, checker, staff_client):
    """Three questions on a Monday in March: a health one answered in two hours with effort 1,
    a law one and an unanswered phone one (both late)."""
    with clock.travel_to(MONDAY):
        quick = desk.claimed(topic="health")
        desk.ask(topic="law")
        desk.ask(who="clerk", channel="phone")
        clock.advance(timedelta(hours=2))
        desk.post("librarian", f"/reference/questions/{quick}/answer", {"text": "Facts."})
        desk.post("librarian", f"/reference/questions/{quick}/close", {"effort": 1})
    return staff_client("head")


def test_each_group_has_a_chart_with_one_bar_per_figure_in_its_table(head):
    page = head.get("/staff/reference/figures/", PERIOD).content.decode()
    for caption in (*GROUPS, EFFORT):
        shown = table_rows(page, caption)
        assert bars(chart_titled(page, caption)) == [(f"{a}: {n}", n) for a, n in shown]
    assert table_rows(page, "Questions per channel") == [
        ["On the web", "2"],
        ["In person", "0"],
        ["By phone", "1"],
        ["By e-mail", "0"],
    ]
    assert table_rows(page, EFFORT)[0] == ["1: a quick fact, no research", "1"]
    assert table_rows(page, TIMES) == [
        ["First response", "1", "2.0", "2.0"],
        ["Answer", "1", "2.0", "2.0"],
    ]
    assert [title for title, _n in bars(chart_titled(page, TIMES))] == [
        "First response: Median: 2.0",
        "First response: 90th percentile: 2.0",
        "Answer: Median: 2.0",
        "Answer: 90th percentile: 2.0",
    ]
    assert dangling_references(page) == []


def test_the_page_shows_words_not_codes(head):
    text = visible_text(head.get("/staff/reference/figures/", PERIOD).content.decode())
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert "Health" in text and "Law" in text


def test_the_page_is_in_french_for_a_french_reader(head):
    page = head.get("/staff/reference/figures/", PERIOD, HTTP_ACCEPT_LANGUAGE="fr").content
    text = visible_text(page.decode())
    assert "Par téléphone" in text and "Santé" in text and "Droit" in text
    assert "1 : un fait rapide, aucune recherche" in text and "Première réponse" in text
    assert not re.search(r"<t[hd][^>]*>(By phone|Health|First response)</t[hd]>", page.decode())


def test_the_csv_has_a_header_in_words_and_the_figures_the_page_shows(head):
    page = head.get("/staff/reference/figures/", PERIOD).content.decode()
    assert 'href="/staff/reference/figures.csv?since=2026-03-01&amp;until=2026-03-31"' in page
    rows = csv_rows(head.get("/staff/reference/figures.csv", PERIOD))
    assert rows[0] == ["Figure", "From", "To", "Measure", "Value"]
    for caption in (*GROUPS, EFFORT):
        written = [(m, v) for figure, _s, _e, m, v in rows[1:] if figure == caption]
        assert written == [tuple(row) for row in table_rows(page, caption)], caption
    times = [(m, v) for figure, _s, _e, m, v in rows[1:] if figure == TIMES]
    assert times == [
        ("First response: Questions", "1"),
        ("First response: Median", "2.0"),
        ("First response: 90th percentile", "2.0"),
        ("Answer: Questions", "1"),
        ("Answer: Median", "2.0"),
        ("Answer: 90th percentile", "2.0"),
    ]
    assert {(row[1], row[2]) for row in rows[1:]} == {("2026-03-01", "2026-03-31")}
    for code in (*CODES, "web", "phone", "1"):
        assert not any(code == row[3] for row in rows), code


def test_the_csv_is_in_french_and_bounds_its_dates(head):
    rows = csv_rows(head.get("/staff/reference/figures.csv", PERIOD, HTTP_ACCEPT_LANGUAGE="fr"))
    assert ["Questions par mode", "2026-03-01", "2026-03-31", "Par téléphone", "1"] in rows
    far = head.get("/staff/reference/figures.csv", {"since": "1200-01-01"})
    assert far.status_code == 422 and "Ensure this value is" in far.content.decode()
    page = head.get("/staff/reference/figures/", {"since": "9999-12-31"})
    assert page.status_code == 200 and "Ensure this value is" in page.content.decode()
