import django.db.models
from django.db import migrations

import libdesk.core.clock


class Migration(migrations.Migration):
    """When each copy joined the collection. Copies already there get no date (unknown, so
    never "new"); copies added from now on get the time they are stored."""

    dependencies = [
        ("catalog", "0003_item_in_transit_to_alter_item_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="added_at",
            field=django.db.models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AlterField(
            model_name="item",
            name="added_at",
            field=django.db.models.DateTimeField(
                blank=True, db_index=True, default=libdesk.core.clock.now, null=True
            ),
        ),
    ]
