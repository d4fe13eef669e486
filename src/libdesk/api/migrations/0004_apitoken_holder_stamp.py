"""Tokens carry their holder's credential stamp; tokens issued before keep working until the
holder's credentials next change."""

from django.db import migrations, models


def copy_stamps(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.select_related("staff", "patron"):
        holder = token.staff or token.patron
        token.holder_stamp = holder.credential_stamp
        token.save(update_fields=["holder_stamp"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_idempotentreply"),
        ("accounts", "0003_credential_stamp_second_factor"),
        ("patrons", "0002_patron_credential_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="holder_stamp",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(copy_stamps, migrations.RunPython.noop),
    ]
