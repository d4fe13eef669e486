"""The board's figures as the board uses them: a chart per report (server-drawn SVG, one bar
per figure, named for a screen reader), the same numbers in tables, a CSV a spreadsheet
opens with the page's figures, and words, never stored codes, in either language."""

import csv
import io
import re

import pytest

from libdesk.circulation import services
from tests.conftest import AVERY
from tests.figure_pages import SVG, charts, table_rows, visible_text
from tests.html_ids import dangling_references

pytestmark = pytest.mark.django_db

CODES = ("checkout", "checkin", "renewal", "ill", "purchase", "hold", "book", "MAIN")


@pytest.fixture
def counted(shelf, desk, patron):
    """One checkout and one return, counted at MAIN, of a book."""
    item = shelf.copy(shelf.record("Counted"))
    services.checkout(desk(), patron(AVERY), item.barcode)
    services.checkin(desk(), item.barcode)


def test_each_report_has_a_chart_with_one_bar_per_figure_in_its_table(staff_client, counted):
    page = staff_client().get("/staff/reports/").content.decode()
    totals, waits = charts(page)[:2]
    for chart in (totals, waits):
        assert chart.get("role") == "img"
        title = chart.find(f"{SVG}title")
        assert chart.get("aria-labelledby") == title.get("id") and title.text
    totals_rows = table_rows(page, "Checkouts, returns and renewals")
    assert totals_rows == [["Checkouts", "1"], ["Returns", "1"], ["Renewals", "0"]]
    bars = totals.findall(f"{SVG}g")
    assert [(b.find(f"{SVG}title").text, b.find(f"{SVG}rect").get("data-value")) for b in bars] == [
        ("Checkouts: 1", "1"),
        ("Returns: 1", "1"),
        ("Renewals: 0", "0"),
    ]
    assert len(waits.findall(f"{SVG}g")) == 3
    assert dangling_references(page) == []


def test_the_page_shows_words_not_codes(staff_client, counted):
    page = staff_client().get("/staff/reports/").content.decode()
    text = visible_text(page)
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), code
    activity = table_rows(page, "Daily activity")
    assert {(branch, material, event) for _day, branch, material, event, _n in activity} == {
        ("Main", "Book", "Checkouts"),
        ("Main", "Book", "Returns"),
    }
    kinds = [
        row[0]
        for row in table_rows(
            page, "Days from request to ready (holds) or fulfilled (interlibrary loans, purchases)"
        )
    ]
    assert kinds == ["Holds", "Interlibrary loan", "Purchase suggestion"]


def test_the_page_is_in_french_for_a_french_reader(staff_client, counted):
    clerk = staff_client()
    page = clerk.get("/staff/reports/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = visible_text(page)
    assert "Prêts" in text and "Retours" in text and "Prêt entre bibliothèques" in text
    assert '<th scope="row">Prêts</th>' in page and "Livre" in text
    assert not re.search(r"<t[hd][^>]*>(Checkouts|Returns|Book|Holds)</t[hd]>", page)


def test_the_csv_has_a_header_in_words_and_the_figures_the_page_shows(staff_client, counted):
    clerk = staff_client()
    page = clerk.get("/staff/reports/", {"days": "7"}).content.decode()
    assert 'href="/staff/reports/figures.csv?days=7"' in page
    response = clerk.get("/staff/reports/figures.csv", {"days": "7"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Figure", "From", "To", "Branch", "Material", "Measure", "Value"]
    totals = {row[5]: row[6] for row in rows if row[0] == "Totals"}
    assert totals == {label: n for label, n in table_rows(page, "Checkouts, returns and renewals")}
    activity = [row for row in rows if row[0] == "Daily activity"]
    shown = table_rows(page, "Daily activity")
    assert [(r[3], r[4], r[5], r[6]) for r in activity] == [tuple(s[1:]) for s in shown]
    for row in rows[1:]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[1]) and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", row[2]
        )
    for code in CODES:
        assert not any(code == cell for row in rows for cell in row), code
