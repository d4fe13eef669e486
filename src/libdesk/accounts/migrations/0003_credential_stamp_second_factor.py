"""Staff credential stamps (ending sessions and tokens when credentials change) and the
second factor: an authenticator (TOTP) with one-time recovery codes."""

import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import libdesk.accounts.models


def stamp_each(apps, schema_editor):
    """One stamp per person (a callable default gives every existing row the same one)."""
    StaffUser = apps.get_model("accounts", "StaffUser")
    for user in StaffUser.objects.all():
        user.credential_stamp = secrets.token_hex(16)
        user.save(update_fields=["credential_stamp"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_workstation"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffuser",
            name="credential_stamp",
            field=models.CharField(default=libdesk.accounts.models.new_stamp, max_length=32),
        ),
        migrations.RunPython(stamp_each, migrations.RunPython.noop),
        migrations.CreateModel(
            name="SecondFactor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("secret", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField()),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("last_step", models.BigIntegerField(blank=True, null=True)),
                (
                    "staff",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="second_factor",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code_hash", models.CharField(max_length=64)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recovery_codes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
