import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("patrons", "0004_cardblock"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Announcement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title_en", models.CharField(max_length=200)),
                ("title_fr", models.CharField(max_length=200)),
                ("body_en", models.TextField()),
                ("body_fr", models.TextField()),
                ("published_at", models.DateTimeField(db_index=True)),
                (
                    "written_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-published_at", "-pk"]},
        ),
        migrations.CreateModel(
            name="NewsletterIssue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title_en", models.CharField(max_length=200)),
                ("title_fr", models.CharField(max_length=200)),
                ("sections", models.JSONField(default=list)),
                ("arrivals_subject", models.CharField(blank=True, max_length=200)),
                ("arrivals_format", models.CharField(blank=True, max_length=20)),
                ("covers_from", models.DateTimeField()),
                ("covers_until", models.DateTimeField(blank=True, null=True)),
                (
                    "state",
                    models.CharField(
                        choices=[("draft", "Draft"), ("sending", "Being sent"), ("sent", "Sent")],
                        default="draft",
                        max_length=8,
                    ),
                ),
                ("link_base", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField()),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "-pk"]},
        ),
        migrations.CreateModel(
            name="NewsletterDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sent_at", models.DateTimeField(db_index=True)),
                (
                    "issue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="outreach.newsletterissue",
                    ),
                ),
                (
                    "patron",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="patrons.patron",
                    ),
                ),
            ],
            options={
                "ordering": ["sent_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("issue", "patron"), name="newsletter_once_per_patron"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OrganizationContact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("role", models.CharField(blank=True, max_length=200)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=40)),
                ("updated_at", models.DateTimeField()),
                (
                    "patron",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="organization_contact",
                        to="patrons.patron",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("email", ""), _negated=True)
                        | models.Q(("phone", ""), _negated=True),
                        name="organization_contact_reachable",
                    )
                ],
            },
        ),
    ]
