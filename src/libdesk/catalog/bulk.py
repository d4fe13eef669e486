"""Fast inserts for the importer. Django's bulk_create prepares every value of every row
field by field, which costs more than the database itself at 250,000 records; these go
through Django's own cursor (so the same SQL runs on SQLite and PostgreSQL) with values
already in their database form."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Max

from libdesk.catalog.derive import STORED
from libdesk.catalog.models import OutboxEntry, Record, RecordIdentifier

RECORD_COLUMNS = ("control_number", "control_source", "marc", "work_id", *STORED, "updated_at")
JSON_COLUMNS = {"authors", "subjects", "series", "isbns", "issns"}


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)  # from model metadata, never from input
    if connection.vendor == "postgresql":
        _copy_rows(f"COPY {quote(table)} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _copy_rows(sql: str, rows: list[Sequence]) -> None:
    """PostgreSQL's COPY: the rows streamed in its own format. Django's client-side binding
    quoted every value of an INSERT into SQL text in Python, and the server parsed it again:
    the import ran at 2,500 records/s against SQLite's 5,000 (bench/README.md, issue 17)."""
    # psycopg's copy sits under Django's cursor wrapper: its errors are made Django's here.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def insert_records(records: list[Record]) -> None:
    """Insert new records with a control number and give them their primary keys; the rare
    record without one goes through bulk_create."""
    keyed = [r for r in records if r.control_number]
    Record.objects.bulk_create([r for r in records if not r.control_number])
    if not keyed:
        return
    when = connection.ops.adapt_datetimefield_value(keyed[0].updated_at)
    insert_rows(Record._meta.db_table, RECORD_COLUMNS, (_record_row(r, when) for r in keyed))
    wanted = {(r.control_number, r.control_source): r for r in keyed}
    found = Record.objects.filter(control_number__any_of={r.control_number for r in keyed})
    for pk, control, source in found.values_list("pk", "control_number", "control_source"):
        if (record := wanted.get((control, source))) is not None:
            record.pk = pk
            record._state.adding = False


def _record_row(record: Record, when) -> list:
    row = []
    for column in RECORD_COLUMNS:
        value = getattr(record, column)
        if column in JSON_COLUMNS:
            value = json.dumps(value, ensure_ascii=False)
        elif column == "updated_at":
            value = when
        elif column == "marc":
            value = bytes(value)
        row.append(value)
    return row


def insert_identifiers(pairs: Iterable[tuple[int, str]]) -> None:
    insert_rows(RecordIdentifier._meta.db_table, ("record_id", "value"), pairs)


def insert_outbox(record_ids: Iterable[int]) -> list[int]:
    """Outbox rows for these records; returns their ids (with those of any row for the same
    records committed meanwhile by another transaction, which this one's reads include)."""
    record_ids = list(record_ids)
    before = OutboxEntry.objects.aggregate(top=Max("pk"))["top"] or 0
    insert_rows(OutboxEntry._meta.db_table, ("record_id",), ((pk,) for pk in record_ids))
    written = []
    for start in range(0, len(record_ids), 900):
        chunk = record_ids[start : start + 900]
        rows = OutboxEntry.objects.filter(pk__gt=before, record_id__any_of=chunk)
        written += rows.values_list("pk", flat=True)
    return written
