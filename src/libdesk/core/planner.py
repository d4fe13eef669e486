"""The query planner's statistics on PostgreSQL.

PostgreSQL chooses its plans from per-table statistics that ANALYZE gathers. After a bulk load
(a catalogue or items import) they describe the tables as they were before it until autovacuum
gets round to them, and with autovacuum off never: a planner that believes the items table
holds 70 rows joins 100,000 of them to answer "another edition on the shelf" (170 ms instead
of 0.1 ms, measured on the 250,000-record catalogue). So bulk loads refresh the statistics of
what they wrote, as PostgreSQL's manual advises, and `libdesk check --deploy` warns when
autovacuum is off. SQLite plans without such statistics; nothing is done there.
"""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connection
from django.db.models import Model

BULK = 1000  # rows written by one load before its statistics are worth refreshing


def refresh_statistics(*models: type[Model], written: int = BULK) -> bool:
    """ANALYZE these models' tables on PostgreSQL when a load wrote `written` rows or more;
    returns whether it ran. Call it after the load has committed, so that the sample sees
    the rows as every other connection does."""
    if connection.vendor != "postgresql" or written < BULK or not models:
        return False
    quote = connection.ops.quote_name
    tables = ", ".join(quote(model._meta.db_table) for model in models)  # model metadata
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
    return True


def check_autovacuum(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Deploy check: on PostgreSQL, autovacuum keeps the planner's statistics and the tables'
    free space current as loans, holds and the outbox churn; without it plans degrade."""
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('autovacuum')")
            setting = cursor.fetchone()[0]
    except DatabaseError:
        return []  # libdesk.W001 already says the database could not be reached
    if setting == "on":
        return []
    return [
        checks.Warning(
            "PostgreSQL's autovacuum is off: the planner's statistics go stale as loans, holds "
            "and the catalogue change, and searches and checkouts slow down with them",
            hint="set autovacuum = on in postgresql.conf (the default), or run VACUUM ANALYZE "
            "from cron; docs/deployment-nodes.md says more",
            id="libdesk.W012",
        )
    ]
