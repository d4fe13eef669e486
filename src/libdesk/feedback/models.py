"""Comments on how well the library meets its service expectations (policy clause
expectations-feedback: "any comments are welcome regarding how well those expectations are
being met").

A comment records only the kind of service it is about, never the question, the visit, the
loan or the page it came from. It names a patron only when a signed-in patron chose to sign
it, and then by id (no foreign key), as reference questions do, so nothing walks from a
patron's record to what they wrote. After LIBDESK_FEEDBACK_RETENTION_DAYS its text, its
signature and the library's responses go, and only the figures stay (service, theme,
rating, times).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

RATING_MIN, RATING_MAX = 1, 5


class Service(models.TextChoices):
    """The kind of service a comment is about: never which visit, question, loan or page."""

    GENERAL = "general", _("The library in general")
    WEBSITE = "website", _("The website")
    DESK_VISIT = "desk_visit", _("A visit to the desk")
    KIOSK = "kiosk", _("A self-check machine")
    REFERENCE_ANSWER = "reference_answer", _("An answer to a question")
    EVENT = "event", _("A program or event")
    CATALOGUE = "catalogue", _("The catalogue")


class Theme(models.TextChoices):
    """What a comment is about, as staff file it for the board's figures."""

    COLLECTION = "collection", _("Collection")
    HOURS = "hours", _("Hours")
    STAFF = "staff", _("Staff")
    SPACE = "space", _("Space")
    TECHNOLOGY = "technology", _("Technology")
    PROGRAMS = "programs", _("Programs")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Being dealt with")
    CLOSED = "closed", _("Closed")


class Comment(models.Model):
    """A comment someone left, anonymous or signed, optionally rated from 1 to 5.

    `patron_id` is set only when a signed-in patron signed it; `wants_reply` only then (the
    reply goes to the account, and by e-mail to the account's address). Staff file it under
    a theme, may tie it to a policy clause, respond, and close it."""

    service = models.CharField(max_length=20, choices=Service.choices, default=Service.GENERAL)
    received_at = models.DateTimeField()
    text = models.TextField(blank=True)
    language = models.CharField(max_length=2, default="en")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    patron_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    wants_reply = models.BooleanField(default=False)
    theme = models.CharField(max_length=12, choices=Theme.choices, blank=True)
    clause = models.ForeignKey(
        "policies.Clause", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="feedback_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="feedback_rating_one_to_five",
            ),
            models.CheckConstraint(
                condition=Q(wants_reply=False) | Q(patron_id__isnull=False),
                name="feedback_reply_only_when_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="feedback_closed_has_a_time",
            ),
            models.CheckConstraint(
                condition=Q(anonymised=False) | Q(text="", patron_id__isnull=True),
                name="feedback_anonymised_keeps_no_text",
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk}"

    @property
    def signed(self) -> bool:
        return self.patron_id is not None


class Response(models.Model):
    """The library's response to a comment. The patron who signed the comment reads it in
    their account; it is e-mailed after commit when they asked for a reply."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="responses")
    text = models.TextField()
    language = models.CharField(max_length=2, default="en")
    sent_at = models.DateTimeField()
    by = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"response {self.pk} to comment {self.comment_id}"
