"""Loans keep the day of their last renewal, so a renewal asked again that day is the same one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="loan",
            name="renewed_on",
            field=models.DateField(blank=True, null=True),
        ),
    ]
