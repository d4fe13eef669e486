"""Policies as documents: numbered, adopted by board motion, reviewed on a schedule.

Each registered version is its own row, so history is kept: registering a new version marks
the previous one superseded rather than overwriting it.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class Policy(models.Model):
    """One version of one policy document, as adopted by the board."""

    number = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    section = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=PolicyStatus.choices)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # The number of an older policy that was never registered here (e.g. "014-2015").
    supersedes_number = models.CharField(max_length=40, blank=True)
    motion = models.CharField(max_length=40, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    review_years = models.PositiveSmallIntegerField()
    text = models.TextField()
    registered_at = models.DateTimeField()
    source_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["number", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="policy_number_version"),
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(status="in_force"),
                name="policy_one_version_in_force",
            ),
            models.CheckConstraint(
                condition=Q(review_years__gte=1), name="policy_review_years_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title} (v{self.version})"

    @property
    def next_review(self) -> date | None:
        """Adoption or last review, plus the review schedule."""
        start = self.last_reviewed_on or self.adopted_on
        if start is None:
            return None
        try:
            return start.replace(year=start.year + self.review_years)
        except ValueError:  # 29 February in a year that has none
            return start.replace(year=start.year + self.review_years, day=28)

    def translation(self, language: str | None = None) -> "PolicyTranslation | None":
        language = (language or get_language() or "en")[:2]
        return next((t for t in self.translations.all() if t.language == language), None)


class PolicyTranslation(models.Model):
    """The policy's text in another language; only an official one carries the board's weight."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    text = models.TextField()
    official = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "language"], name="policy_translation_once")
        ]

    def __str__(self) -> str:
        return f"{self.policy.number} ({self.language})"


class Clause(models.Model):
    """A promise or rule inside a policy, cited by id from rules and decisions."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clauses")
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    why = models.TextField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "slug"], name="clause_slug_once"),
        ]

    def __str__(self) -> str:
        return self.clause_id

    @property
    def clause_id(self) -> str:
        return f"{self.policy.number}/{self.slug}"

    def in_language(self, language: str | None = None) -> "ClauseText":
        """Title, text and reason in `language`, falling back to the registered English."""
        language = (language or get_language() or "en")[:2]
        for translated in self.translations.all():
            if translated.language == language:
                return ClauseText(translated.title, translated.text, translated.why)
        return ClauseText(self.title, self.text, self.why)


class ClauseTranslation(models.Model):
    """A clause's title, words and reason in another language (unofficial unless the board
    adopted it), so a refusal speaks the patron's language."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    text = models.TextField()
    why = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clause", "language"], name="clause_translation_once")
        ]

    def __str__(self) -> str:
        return f"{self.clause} ({self.language})"


class ClauseText:
    """A clause rendered in one language."""

    def __init__(self, title: str, text: str, why: str) -> None:
        self.title, self.text, self.why = title, text, why


class PolicyReview(models.Model):
    """A board review that confirmed a policy without changing it."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    motion = models.CharField(max_length=40, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_on"]

    def __str__(self) -> str:
        return f"{self.policy.number} reviewed {self.reviewed_on}"


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class PolicyQuestion(models.Model):
    """Someone asking why a policy exists. Confidential: only the Head Librarian, and the
    librarians they share it with, ever see it (policy clause confidential-requests)."""

    clause_id = models.CharField(max_length=120)
    question = models.TextField()
    language = models.CharField(max_length=2, default="en")
    contact_email = models.EmailField(blank=True)
    access_key_hash = models.CharField(max_length=64, unique=True)
    asked_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"policy question {self.pk}"

    @property
    def time_to_answer(self):
        return self.answered_at - self.asked_at if self.answered_at else None


class PolicyQuestionShare(models.Model):
    """The Head Librarian shared a question with a librarian, to answer it."""

    question = models.ForeignKey(PolicyQuestion, on_delete=models.CASCADE, related_name="shares")
    librarian = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "librarian"], name="question_shared_once")
        ]

    def __str__(self) -> str:
        return f"question {self.question_id} shared with {self.librarian_id}"
