"""Stored replies name no token and hold no readable answer: a keyed lookup, a keyed request
hash and a sealed body (issue 12). Replies live a day; the ones stored before are dropped."""

from django.db import migrations, models


def drop_replies(apps, schema_editor):
    apps.get_model("api", "IdempotentReply").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0004_apitoken_holder_stamp"),
    ]

    operations = [
        migrations.RunPython(drop_replies, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="idempotentreply", name="idempotency_key_once"),
        migrations.RemoveField(model_name="idempotentreply", name="token"),
        migrations.RemoveField(model_name="idempotentreply", name="key"),
        migrations.RemoveField(model_name="idempotentreply", name="body"),
        migrations.AddField(
            model_name="idempotentreply",
            name="lookup",
            field=models.CharField(default="", max_length=64, unique=True),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotentreply",
            name="sealed",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="idempotentreply",
            name="created_at",
            field=models.DateTimeField(db_index=True),
        ),
    ]
