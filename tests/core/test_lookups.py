"""`field__any_of=values` (core/lookups.py) finds what `__in` finds, on both databases, and
sends PostgreSQL one array instead of a placeholder per value."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libdesk.library.models import Branch

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds(demo_library):
    codes = ["MAIN", "KEEW", "NOWHERE", "MAIN"]
    expected = set(Branch.objects.filter(code__in=codes).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as sent:
        found = set(Branch.objects.filter(code__any_of=codes).values_list("pk", flat=True))
    assert found == expected and len(found) == 2
    sql = sent.captured_queries[0]["sql"]
    assert ("= ANY(" in sql) == (connection.vendor == "postgresql")


def test_any_of_nothing_matches_nothing(demo_library):
    with CaptureQueriesContext(connection) as sent:
        assert list(Branch.objects.filter(code__any_of=[])) == []
    assert sent.captured_queries == []  # known empty without asking the database


def test_any_of_prepares_each_value_as_its_field_does(demo_library):
    ids = [str(pk) for pk in Branch.objects.values_list("pk", flat=True)]  # text, as a form
    assert Branch.objects.filter(pk__any_of=ids).count() == len(ids)
