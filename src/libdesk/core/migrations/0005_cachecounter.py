"""The database cache's counters (core/dbcache.py), unlogged on PostgreSQL."""

from django.db import migrations, models


def unlogged_on_postgresql(apps, schema_editor) -> None:
    """Counters against abuse need no write-ahead log: a commit that only counted then does
    not wait for a flush. A crash empties the table; a replica holds no rows of it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("core", "CacheCounter")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


def logged_on_postgresql(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("core", "CacheCounter")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_worker_beats_job_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="CacheCounter",
            fields=[
                ("name", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("hits", models.PositiveIntegerField()),
                ("expires", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(unlogged_on_postgresql, logged_on_postgresql),
    ]
