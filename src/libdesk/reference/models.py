"""Ask a librarian: questions from every channel, the answers that cite their sources, the
sharing between librarians, and the consumer-information directory.

A question is stored apart from patron records (PRIVACY.md, "Reference questions"): it names
a patron only when the patron asked for it, and then by id (no foreign key), so nothing walks
from a patron's record to what they asked. Contact details go at closing; the text goes after
LIBDESK_REFERENCE_RETENTION_DAYS, leaving only the figures (channel, topic, effort, times).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("On the web")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By e-mail")


class Topic(models.TextChoices):
    """What a question is about, for routing and the board's figures (never who asked)."""

    HEALTH = "health", _("Health")
    LAW = "law", _("Law")
    CONSUMER = "consumer", _("Consumer information")
    LOCAL_HISTORY = "local_history", _("Local history")
    GENEALOGY = "genealogy", _("Genealogy")
    BUSINESS = "business", _("Business")
    GOVERNMENT = "government", _("Government")
    SCIENCE = "science", _("Science")
    ARTS = "arts", _("Arts")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for a librarian")
    CLAIMED = "claimed", _("A librarian is working on it")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


# The READ scale (Reference Effort Assessment Data): 1 a quick fact, 6 days of research.
EFFORT_MIN, EFFORT_MAX = 1, 6


class Question(models.Model):
    """A question someone asked the library (on the web, at the desk, by phone or e-mail).

    Confidential: only the librarian who claimed it and those it was shared with read its
    text or contact details (policy clause confidential-requests); the queue shows channel,
    topic and age only. `patron_id` is set only when a signed-in patron asked to link it."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    asked_at = models.DateTimeField()
    text = models.TextField(blank=True)
    language = models.CharField(max_length=2, default="en")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    patron_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    access_key_hash = models.CharField(max_length=64, unique=True)
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.OTHER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    entered_by = models.ForeignKey(
        "accounts.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_by = models.ForeignKey(
        "accounts.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    anonymised = models.BooleanField(default=False)

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["status", "asked_at"], name="reference_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effort__isnull=True)
                | Q(effort__gte=EFFORT_MIN, effort__lte=EFFORT_MAX),
                name="reference_effort_on_read_scale",
            ),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True, claimed_at__isnull=True)
                | Q(claimed_by__isnull=False, claimed_at__isnull=False),
                name="reference_claim_has_a_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(claimed_by__isnull=True),
                name="reference_open_is_unclaimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(contact_email="", contact_phone=""),
                name="reference_closed_keeps_no_contact",
            ),
            models.CheckConstraint(
                condition=Q(anonymised=False) | Q(text="", patron_id__isnull=True),
                name="reference_anonymised_keeps_no_text",
            ),
        ]

    def __str__(self) -> str:
        return f"reference question {self.pk}"


class ShareKind(models.TextChoices):
    CONSULT = "consult", _("Consulted (may read it to help answer)")
    TRANSFER = "transfer", _("Transferred (now answers it)")


class ShareReason(models.TextChoices):
    """Why a question went to another librarian: codes only, never words typed."""

    SUBJECT_EXPERTISE = "subject_expertise", _("Their subject knowledge")
    LANGUAGE = "language", _("The asker's language")
    LOCAL_KNOWLEDGE = "local_knowledge", _("Knowledge of the local collection or community")
    WORKLOAD = "workload", _("Sharing the workload")
    ABSENCE = "absence", _("The librarian is away")


class QuestionShare(models.Model):
    """A librarian shared a question with another, for the purpose of answering it (policy
    clause confidential-requests): a consultation lets them read it; a transfer moves the
    claim to them. The record stays for as long as the question does."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="shares")
    shared_by = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    shared_with = models.ForeignKey(
        "accounts.StaffUser", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=ShareKind.choices)
    reason = models.CharField(max_length=20, choices=ShareReason.choices)
    shared_at = models.DateTimeField()

    class Meta:
        ordering = ["shared_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(shared_by=models.F("shared_with")),
                name="reference_share_with_another",
            )
        ]

    def __str__(self) -> str:
        return f"question {self.question_id} {self.kind} to {self.shared_with_id}"


class SendAnywayReason(models.TextChoices):
    """Why an answer the checker flagged was sent all the same: codes only."""

    QUOTED_SOURCE = "quoted_source", _("The words are quoted from a cited source")
    FACTUAL_IN_CONTEXT = "factual_in_context", _("The words state a fact in this context")
    ASKER_REQUESTED_LIST = (
        "asker_requested_list",
        _("The asker asked for a list of sources, not a recommendation"),
    )
    FALSE_ALARM = "false_alarm", _("The check misread the text")


class Answer(models.Model):
    """An answer sent to the asker: facts with their sources, never an opinion or advice
    (policy clause facts-not-opinions). `override_reason` says why it was sent although the
    check flagged it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)
    language = models.CharField(max_length=2, default="en")
    sent_at = models.DateTimeField()
    by = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    override_reason = models.CharField(max_length=30, choices=SendAnywayReason.choices, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)  # e-mailed to the asker
    # Where it is to be mailed, until it is: the question's contact goes at closing, which
    # may come before the mail worker runs.
    mail_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"answer {self.pk} to question {self.question_id}"


class SourceKind(models.TextChoices):
    CATALOGUE = "catalogue", _("In the library's catalogue")
    WEB = "web", _("On the web")
    DIRECTORY = "directory", _("In the library's directory of consumer information")
    NAMED = "named", _("An organisation or publication")


class ConsumerSourceKind(models.TextChoices):
    GOVERNMENT_OFFICE = "government_office", _("Government consumer office")
    TESTING_ORGANISATION = "testing_organisation", _("Independent testing organisation")
    LIBRARY_DATABASE = "library_database", _("Library database")
    OTHER = "other", _("Other")


class ConsumerSource(models.Model):
    """A source of consumer information staff may direct people to (the policy lets staff
    point to sources, never recommend products or services), curated by staff, in English
    and French, by topic."""

    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)
    description_en = models.TextField(blank=True)
    description_fr = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    topic = models.CharField(max_length=20, choices=Topic.choices)
    kind = models.CharField(max_length=25, choices=ConsumerSourceKind.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["topic", "name_en"]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" and self.name_fr else self.name_en

    def description(self, language: str) -> str:
        if language == "fr" and self.description_fr:
            return self.description_fr
        return self.description_en


class AnswerSource(models.Model):
    """One source an answer cites: a catalogue record, a web address, a directory entry, or
    an organisation or publication named in words."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    record = models.ForeignKey(
        "catalog.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(max_length=500, blank=True)
    directory = models.ForeignKey(
        ConsumerSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="web") | ~Q(url=""), name="reference_web_source_has_url"
            ),
        ]

    def __str__(self) -> str:
        return self.label
