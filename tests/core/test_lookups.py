"""`field__any_of=values` (core/lookups.py) finds what `__in` finds, on both databases, and
sends PostgreSQL one array instead of a placeholder per value."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libdesk.catalog.models import OutboxEntry
from libdesk.library.models import Branch
from libdesk.patrons.models import Patron

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


def test_any_of_ignores_none_as_in_does(demo_library):
    main = Branch.objects.get(code="MAIN")
    others = set(Branch.objects.exclude(code__in=["MAIN", None]).values_list("pk", flat=True))
    kept = Branch.objects.exclude(code__any_of=["MAIN", None]).values_list("pk", flat=True)
    assert set(kept) == others
    assert list(Branch.objects.filter(code__any_of=[None, "MAIN"])) == [main]


def test_any_of_reads_a_generator_once_and_refuses_a_query(demo_library):
    query = Branch.objects.filter(code__any_of=(code for code in ["MAIN", "KEEW"]))
    assert query.count() == 2 and len(list(query)) == 2  # compiled twice, same answer
    with pytest.raises(TypeError, match="list of values"):
        Branch.objects.filter(code__any_of=Branch.objects.all())


@pytest.mark.slow
def test_more_values_than_one_postgresql_statement_carries(demo_library):
    """70,000 rows written, read by id, counted through `__in` and deleted: on PostgreSQL
    (values bound server-side, at most 65,535 a statement) in batches and as one array."""
    record_id = 987_654  # the outbox names a record by number only
    OutboxEntry.objects.bulk_create(OutboxEntry(record_id=record_id) for _ in range(70_000))
    ids = list(OutboxEntry.objects.filter(record_id=record_id).values_list("pk", flat=True))
    assert len(ids) == 70_000
    assert len(OutboxEntry.objects.in_bulk(ids)) == len(ids)
    with CaptureQueriesContext(connection) as sent:
        assert OutboxEntry.objects.filter(pk__in=ids).count() == len(ids)
    assert ("= ANY(" in sent.captured_queries[0]["sql"]) == (connection.vendor == "postgresql")
    main = Branch.objects.get(code="MAIN")  # a foreign key's `__in` too
    at_main = Patron.objects.filter(home_branch=main).count()
    assert Patron.objects.filter(home_branch_id__in=[main.pk] * 20_000).count() == at_main
    OutboxEntry.objects.filter(pk__in=ids).delete()
    assert not OutboxEntry.objects.filter(record_id=record_id).exists()
