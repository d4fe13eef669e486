"""Sign-in locks count failures within a window, record when a lock began and whether staff
lifted it, and expire. Existing counters (no window) are dropped: they only ever slowed a
sign-in down."""

from datetime import UTC, datetime

from django.db import migrations, models


def forget_old_counters(apps, schema_editor):
    apps.get_model("core", "SignInLock").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_signinlock"),
    ]

    operations = [
        migrations.RunPython(forget_old_counters, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signinlock", name="subject", field=models.CharField(max_length=80)
        ),
        migrations.AddField(
            model_name="signinlock",
            name="first_failure_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signinlock",
            name="locked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signinlock",
            name="lifted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signinlock",
            name="expires_at",
            field=models.DateTimeField(db_index=True, default=datetime(2000, 1, 1, tzinfo=UTC)),
            preserve_default=False,
        ),
    ]
