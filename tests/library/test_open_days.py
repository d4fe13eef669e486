"""Closed days: the demo closes on Ontario's statutory holidays, and a date that falls on a
closed day moves to the branch's next open day (where due dates will land)."""

from datetime import date

import pytest

from libdesk.core import clock
from libdesk.library.models import Branch, ClosedDay
from libdesk.library.selectors import is_open_on, next_open_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_in_2026(db):
    from libdesk.demo.loader import load_demo

    with clock.travel_to(date(2026, 11, 28)):
        load_demo(with_catalogue=False)


def test_the_demo_closes_on_ontarios_statutory_holidays(demo_in_2026):
    names = dict(ClosedDay.objects.filter(branch=None, date__year=2026).values_list("date", "name"))
    assert names[date(2026, 7, 1)] == "Canada Day"
    assert names[date(2026, 12, 25)] == "Christmas Day"
    assert names[date(2026, 12, 28)] == "Boxing Day (observed)"
    assert ClosedDay.objects.filter(date__year=2028).exists()  # two years ahead


def test_an_ordinary_open_day_stays_put(demo_in_2026):
    main = Branch.objects.get(code="MAIN")
    assert is_open_on(main, date(2026, 12, 1))  # a Tuesday
    assert next_open_day(main, date(2026, 12, 1)) == date(2026, 12, 1)


def test_a_day_on_holidays_and_a_sunday_moves_to_the_next_open_day(demo_in_2026):
    main, keewatin = Branch.objects.get(code="MAIN"), Branch.objects.get(code="KEEW")
    # Fri 25 Christmas, Sat 26 Boxing Day, Sun 27 no hours, Mon 28 Boxing Day observed.
    assert next_open_day(main, date(2026, 12, 25)) == date(2026, 12, 29)
    # Keewatin opens Tuesday, Thursday, Friday and Saturday only.
    assert next_open_day(keewatin, date(2026, 12, 30)) == date(2026, 12, 31)
    assert not is_open_on(keewatin, date(2026, 12, 28))


def test_a_closure_of_one_branch_leaves_the_other_open(demo_in_2026):
    main, keewatin = Branch.objects.get(code="MAIN"), Branch.objects.get(code="KEEW")
    ClosedDay.objects.create(branch=keewatin, date=date(2026, 12, 3), name="Staff training")
    assert not is_open_on(keewatin, date(2026, 12, 3))
    assert next_open_day(keewatin, date(2026, 12, 3)) == date(2026, 12, 4)
    assert is_open_on(main, date(2026, 12, 3))


def test_a_branch_that_never_opens_is_an_error_not_a_hang(demo_in_2026):
    empty = Branch.objects.create(code="POP", name="Pop-up", address="Somewhere")
    with pytest.raises(ValueError, match="no open day"):
        next_open_day(empty, date(2026, 12, 1))


def test_the_branches_page_lists_the_upcoming_holidays(client, demo_in_2026):
    with clock.travel_to(date(2026, 12, 1)):
        page = client.get("/branches/").content.decode()
    assert "Upcoming closures" in page and "Christmas Day" in page and "Boxing Day" in page
