"""The library and its branches: reference data an administrator configures."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Library(models.Model):
    """The one library this installation serves.

    `is_demo` marks a database loaded by `libdesk demo load`: its accounts have published
    passwords, so libdesk refuses to serve it beyond this machine.
    """

    name = models.CharField(max_length=200)
    head_librarian_contact = models.CharField(
        max_length=200, help_text=_("How to reach the Head Librarian with a question.")
    )
    is_demo = models.BooleanField(default=False)
    singleton = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name_plural = "library"
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="library_only_one"),
            models.CheckConstraint(condition=Q(singleton=True), name="library_singleton_true"),
        ]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A place patrons come to: its code is what every door names it by (MAIN, KEEW), and
    its opening hours and closed days decide due dates."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    address = models.TextField()
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on a weekday; a day with no row is a closed day."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["branch", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="hours_close_after_open"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range"),
        ]

    def __str__(self) -> str:
        day = self.get_weekday_display()
        return f"{self.branch.code} {day} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A date a branch (or, with no branch, every branch) is closed, e.g. a statutory holiday."""

    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="closed_days"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)
    name_fr = models.CharField(max_length=100, blank=True)  # French pages; English when blank

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "date"], name="closed_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def title(self, language: str) -> str:
        """The closure's name in `language` (French when it has one, else the English)."""
        return self.name_fr if language.startswith("fr") and self.name_fr else self.name


class ShelfLocation(models.Model):
    """A shelf location's name in both languages. Items carry their location as text (typed by
    staff or imported with the holdings); a location named here, with a French name, shows
    that name on French pages. A location with no row, or no French name, shows as stored."""

    name = models.CharField(
        max_length=60, unique=True, help_text=_("The location exactly as items carry it.")
    )
    name_fr = models.CharField(max_length=60, blank=True)  # French pages; the name when blank

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
