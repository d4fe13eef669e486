"""Outreach: what the library tells the community, and the few rows that name who was told.

Announcements and newsletter issues name no patron. A newsletter delivery (who got which
issue) and an organization's contact person are patron-linked data, registered with
`core/patron_data.py` in `outreach/patron_data.py` (export, closing, purge)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Announcement(models.Model):
    """A piece of library news, in English and French, shown on the news page and gathered
    into the next newsletter issue's "library news" section once published."""

    title_en = models.CharField(max_length=200)
    title_fr = models.CharField(max_length=200)
    body_en = models.TextField()
    body_fr = models.TextField()
    published_at = models.DateTimeField(db_index=True)
    # A member of staff who wrote it; the page shows no author.
    written_by = models.ForeignKey(
        "accounts.StaffUser", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title_en

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    def body(self, language: str) -> str:
        return self.body_fr if language == "fr" else self.body_en


class IssueState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")


class NewsletterIssue(models.Model):
    """One newsletter: its sections (keys of `outreach/sections.py`), the new-arrivals filter
    (a subject, a format, or neither), and the period it covers: from the previous issue's
    sending (`covers_from`) to its own (`covers_until`, fixed when it is sent)."""

    title_en = models.CharField(max_length=200)
    title_fr = models.CharField(max_length=200)
    sections = models.JSONField(default=list)
    arrivals_subject = models.CharField(max_length=200, blank=True)
    arrivals_format = models.CharField(max_length=20, blank=True)
    covers_from = models.DateTimeField()
    covers_until = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=IssueState.choices, default=IssueState.DRAFT)
    # The site's address as staff reached it when they sent the issue, for the links in it.
    link_base = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "accounts.StaffUser", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"newsletter {self.pk}"

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en


class NewsletterDelivery(models.Model):
    """That one issue was mailed to one patron (or organization): what makes sending
    idempotent (one row per issue and patron, written with the mail), and what the patron
    sees in their data. No address, no content: the issue says what it held."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="+")
    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "patron"], name="newsletter_once_per_patron")
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} to patron {self.patron_id}"


class OrganizationContact(models.Model):
    """The person the library deals with for a patron of category organization (a school, a
    care home, a community group): their name, role and one way to reach them. The
    organization's newsletter goes to this e-mail address when it has one."""

    patron = models.OneToOneField(
        "patrons.Patron", on_delete=models.CASCADE, related_name="organization_contact"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="organization_contact_reachable",
            )
        ]

    def __str__(self) -> str:
        return f"contact of patron {self.patron_id}"
