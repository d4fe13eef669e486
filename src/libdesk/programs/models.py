"""Programs and events: what the library offers the community (storytimes, classes, book clubs,
author talks), in English and French, and who registered for them.

A recurring program is a `Series` whose occurrences are ordinary `Event`s: each one is
registered for separately. A `Registration` is a place (or a place in line) for one person:
a signed-in patron by their account, anyone else by a name and one way to reach them (never a
card number). The waitlist moves strictly in the order people joined (`joined_at`, then id).
Past LIBDESK_EVENT_CONTACT_RETENTION_DAYS after the event, its registrations are deleted and
the event keeps only its counts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CAPACITY_MAX = 1000


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children")
    TEENS = "teens", _("Teens")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Seniors")
    FAMILIES = "families", _("Families")
    ALL = "all", _("Everyone")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class Series(models.Model):
    """A recurring program (a weekly storytime, a monthly book club): it groups the events
    generated from its rule, each of which is registered for separately."""

    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"series {self.pk} ({self.frequency})"


class Event(models.Model):
    """One program at one time and place, organized by a member of staff (who alone sees who
    registered). Without `registration_required` anyone just comes; with it, `capacity`
    places are given first come, first served and the rest wait in line."""

    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    title_en = models.CharField(max_length=200)
    title_fr = models.CharField(max_length=200, blank=True)
    description_en = models.TextField(blank=True)
    description_fr = models.TextField(blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    room = models.CharField(max_length=100, blank=True)
    organizer = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    registration_required = models.BooleanField(default=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    accessibility_en = models.TextField(blank=True)
    accessibility_fr = models.TextField(blank=True)
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # What the event keeps once its registrations are purged (figures, no one named).
    final_registered = models.PositiveIntegerField(null=True, blank=True)
    final_waitlisted = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(registration_required=False)
                | Q(capacity__gte=1, capacity__lte=CAPACITY_MAX),
                name="event_registration_has_a_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"event {self.pk}"

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" and self.title_fr else self.title_en

    def description(self, language: str) -> str:
        if language == "fr" and self.description_fr:
            return self.description_fr
        return self.description_en

    def accessibility(self, language: str) -> str:
        if language == "fr" and self.accessibility_fr:
            return self.accessibility_fr
        return self.accessibility_en


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined after a place opened")


ACTIVE = (Status.REGISTERED, Status.WAITLISTED)


class Registration(models.Model):
    """A person's place at an event, or their place in line. A signed-in patron is linked by
    `patron`; anyone else gave `name` and one contact. The cancel link's token is kept only as
    a hash. Deleted LIBDESK_EVENT_CONTACT_RETENTION_DAYS after the event ends."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=2, default="en")
    status = models.CharField(max_length=12, choices=Status.choices)
    joined_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # cancelled or declined
    cancel_token_hash = models.CharField(max_length=64, unique=True)
    notified = models.CharField(max_length=20, blank=True)  # the last notice sent

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "joined_at"], name="program_line")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "patron"],
                condition=Q(patron__isnull=False, status__in=["registered", "waitlisted"]),
                name="program_one_place_per_patron",
            ),
            models.CheckConstraint(
                condition=Q(patron__isnull=False, name="", contact_email="", contact_phone="")
                | (
                    Q(patron__isnull=True)
                    & ~Q(name="")
                    & (
                        (Q(contact_email="") & ~Q(contact_phone=""))
                        | (~Q(contact_email="") & Q(contact_phone=""))
                    )
                ),
                name="program_account_or_name_and_one_contact",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(promoted_at__isnull=True),
                name="program_waitlisted_not_promoted",
            ),
        ]

    def __str__(self) -> str:
        return f"registration {self.pk} ({self.status})"
