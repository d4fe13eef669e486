"""Patron credential stamps: a lost card or a new PIN ends every session and token."""

import secrets

from django.db import migrations, models

import libdesk.patrons.models


def stamp_each(apps, schema_editor):
    Patron = apps.get_model("patrons", "Patron")
    for patron in Patron.objects.all().only("pk"):
        Patron.objects.filter(pk=patron.pk).update(credential_stamp=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("patrons", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="patron",
            name="credential_stamp",
            field=models.CharField(default=libdesk.patrons.models.new_stamp, max_length=32),
        ),
        migrations.RunPython(stamp_each, migrations.RunPython.noop),
    ]
