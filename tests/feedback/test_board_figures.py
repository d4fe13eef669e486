"""The comments' figures as the board uses them: a chart per group (server-drawn SVG, one bar
per figure), the same numbers in tables, a CSV a spreadsheet opens with the page's figures,
and words (months, services, themes), never stored codes, in either language."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from libdesk.accounts.models import StaffUser
from libdesk.core import clock
from libdesk.feedback import services
from tests.figure_pages import bars, chart_titled, csv_rows, table_rows, visible_text
from tests.html_ids import dangling_references

pytestmark = pytest.mark.django_db
MARCH = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
# Codes that are no English word (the page says "The website" for `website`); the CSV is
# checked for those too, cell by cell.
CODES = ("desk_visit", "unfiled", "2026-03", "2026-04")
CELL_CODES = (*CODES, "website", "event", "staff")
PERIOD = {"since": "2026-03-01", "until": "2026-04-30"}


@pytest.fixture
def head(staff_client):
    """Three comments in March (one answered in two hours, one filed under Staff) and one in
    April, and the Head Librarian reading the figures in May."""
    librarian = StaffUser.objects.get(username="librarian")
    with clock.travel_to(MARCH):
        one = services.leave_comment("Secret one", "desk_visit", rating=5)
        services.leave_comment("Secret two", "website", rating=2)
        services.leave_comment("Secret three", "website")
        services.set_theme(librarian, None, one.pk, "staff")
        clock.advance(timedelta(hours=2))
        services.respond(librarian, None, one.pk, "Thank you.")
        clock.advance(timedelta(days=30))
        services.leave_comment("Secret four", "event", rating=4)
    return staff_client("head")


def test_each_group_has_a_chart_with_one_bar_per_figure_in_its_table(head):
    page = head.get("/staff/comments/figures/", PERIOD).content.decode()
    months = table_rows(page, "Comments per month")
    assert months == [["March 2026", "3"], ["April 2026", "1"]]
    assert bars(chart_titled(page, "Comments per month")) == [
        ("March 2026: 3", "3"),
        ("April 2026: 1", "1"),
    ]
    for caption in (
        "Comments per kind of service",
        "Comments per theme",
        "Comments per rating, from 1 to 5",
    ):
        shown = table_rows(page, caption)
        assert bars(chart_titled(page, caption)) == [(f"{a}: {n}", n) for a, n in shown]
    services_shown = dict(table_rows(page, "Comments per kind of service"))
    assert services_shown["The website"] == "2" and services_shown["A visit to the desk"] == "1"
    assert dict(table_rows(page, "Comments per theme"))["Not filed yet"] == "3"
    totals = table_rows(page, "Comments received, rated and answered")
    assert totals == [["Received", "4"], ["Rated", "3"], ["Answered", "1"]]
    times = table_rows(page, "Time to the library's first response, in hours")
    assert times == [["First response", "1", "2.0", "2.0"]]
    assert bars(chart_titled(page, "Time to the library's first response, in hours")) == [
        ("First response: Median: 2.0", "2.0"),
        ("First response: 90th percentile: 2.0", "2.0"),
    ]
    assert "Average rating, out of 5" in visible_text(page) and "3.67" in visible_text(page)
    assert dangling_references(page) == []


def test_the_page_shows_words_not_codes(head):
    text = visible_text(head.get("/staff/comments/figures/", PERIOD).content.decode())
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert "Secret" not in text


def test_the_page_is_in_french_for_a_french_reader(head):
    page = head.get("/staff/comments/figures/", PERIOD, HTTP_ACCEPT_LANGUAGE="fr").content
    text = visible_text(page.decode())
    assert "mars 2026" in text and "avril 2026" in text
    assert (
        "Le site Web" in text and "Une visite au comptoir" in text and "Pas encore classé" in text
    )
    assert "Commentaires par mois" in text and "Médiane" in text
    assert not re.search(
        r"<t[hd][^>]*>(The website|March 2026|Not filed yet)</t[hd]>", page.decode()
    )


def test_the_csv_has_a_header_in_words_and_the_figures_the_page_shows(head):
    page = head.get("/staff/comments/figures/", PERIOD).content.decode()
    assert 'href="/staff/comments/figures.csv?since=2026-03-01&amp;until=2026-04-30"' in page
    rows = csv_rows(head.get("/staff/comments/figures.csv", PERIOD))
    assert rows[0] == ["Figure", "From", "To", "Measure", "Value"]
    by_group = {}
    for figure, start, end, measure, value in rows[1:]:
        by_group.setdefault(figure, []).append((start, end, measure, value))
    assert by_group["Comments per month"] == [
        ("2026-03-01", "2026-03-31", "March 2026", "3"),
        ("2026-04-01", "2026-04-30", "April 2026", "1"),
    ]
    for caption in (
        "Comments per kind of service",
        "Comments per theme",
        "Comments received, rated and answered",
    ):
        assert [(m, v) for _s, _e, m, v in by_group[caption]] == [
            tuple(row) for row in table_rows(page, caption)
        ]
    ratings = by_group["Comments per rating, from 1 to 5"]
    assert ratings[-1] == ("2026-03-01", "2026-04-30", "Average rating, out of 5", "3.67")
    assert [
        (m, v) for _s, _e, m, v in by_group["Time to the library's first response, in hours"]
    ] == [
        ("First response: Comments answered", "1"),
        ("First response: Median", "2.0"),
        ("First response: 90th percentile", "2.0"),
    ]
    for row in rows[1:]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[1]) and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", row[2]
        )
    for code in CELL_CODES:
        assert not any(code == cell for row in rows for cell in row), code
    assert "Secret" not in str(rows)


def test_the_csv_is_in_french_for_a_french_reader(head):
    rows = csv_rows(head.get("/staff/comments/figures.csv", PERIOD, HTTP_ACCEPT_LANGUAGE="fr"))
    months = [row[3] for row in rows if row[0] == "Commentaires par mois"]
    assert months == ["mars 2026", "avril 2026"]
    assert "Le site Web" in {row[3] for row in rows}


def test_the_csv_without_a_period_runs_to_today_and_a_wrong_date_is_named(head):
    with clock.travel_to(MARCH + timedelta(days=60)):
        rows = csv_rows(head.get("/staff/comments/figures.csv"))
    totals = [row for row in rows if row[3] == "Received"]
    assert totals == [[totals[0][0], "", "2026-05-01", "Received", "4"]]
    wrong = head.get("/staff/comments/figures.csv", {"since": "9999-12-31"})
    assert wrong.status_code == 422 and wrong["Content-Type"].startswith("text/html")
    assert "Ensure this value is" in wrong.content.decode()
    assert head.get("/staff/comments/figures.csv", {"since": "not a date"}).status_code == 422
