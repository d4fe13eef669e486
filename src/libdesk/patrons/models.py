"""Patrons. Registration keeps as little as possible (PRIVACY.md): a name, one way to reach
the patron, a card. A child's birth date is seen, never stored: only `minor_until`, the day
the guardian exception ends."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_stamp() -> str:
    return secrets.token_hex(16)


class Category(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child")
    SENIOR = "senior", _("Senior")
    ORGANIZATION = "organization", _("Organization")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class NoticeChannel(models.TextChoices):
    """How a patron wants a kind of notice: by e-mail, by phone (staff call them from the daily
    call list), or not at all where the library allows it."""

    EMAIL = "email", _("By e-mail")
    PHONE = "phone", _("By phone: staff call me")
    NONE = "none", _("No notice")


class Patron(models.Model):
    """A library card holder. Registration keeps as little as possible: a name, one way to
    reach them, a card; a PIN as an argon2 hash; for a child, only `minor_until`."""

    card_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    category = models.CharField(max_length=12, choices=Category.choices)
    home_branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    card_expires = models.DateField()
    card_lost_at = models.DateTimeField(null=True, blank=True)
    minor_until = models.DateField(null=True, blank=True)
    pin_hash = models.CharField(max_length=200, blank=True)
    # Changes when the card is reported lost or replaced and when the PIN is reset or changed:
    # every web session and API token made under the old stamp stops working at once.
    credential_stamp = models.CharField(max_length=32, default=new_stamp)
    registered_at = models.DateTimeField()
    # How the patron wants each kind of notice (patrons.services.change_notice_preferences).
    notices_hold_ready = models.CharField(
        max_length=8, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL
    )
    notices_overdue = models.CharField(
        max_length=8, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL
    )
    notices_events = models.CharField(
        max_length=8, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | ~Q(postal_address=""),
                name="patron_has_a_contact",
            ),
            models.CheckConstraint(condition=~Q(card_number=""), name="patron_has_a_card"),
        ]

    def __str__(self) -> str:
        return f"patron {self.pk}"

    @property
    def card_last4(self) -> str:
        return self.card_number[-4:]

    @property
    def contact_channel(self) -> str:
        return "email" if self.email else "phone" if self.phone else "post"


class RetiredCard(models.Model):
    """A card number that no longer works (replaced or lost), kept only as a keyed hash so a
    scan of it can be recognised without the number being stored."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="retired_cards")
    card_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=10, choices=[("lost", "lost"), ("replaced", "replaced")])
    retired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"retired card of patron {self.patron_id}"


class GuardianLink(models.Model):
    """A parent or guardian of a child patron, for the confidentiality exception."""

    guardian = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="children_links")
    child = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="guardian_links")
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="guardian_link_once"),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("child")), name="guardian_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"guardian {self.guardian_id} of {self.child_id}"


class ConsentPurpose(models.TextChoices):
    """What a patron may agree to, each on its own (PRIVACY.md, "Patrons' rights")."""

    READING_HISTORY = "reading_history", _("Keep my reading history")
    GUARDIAN_VISIBILITY = "guardian_visibility", _("Let my guardian see my reading history")
    NEWSLETTERS = "newsletters", _("Send me the library's newsletters")


class ConsentChannel(models.TextChoices):
    WEB = "web", _("Your account on the web")
    API = "api", _("An app using the library's API")
    DESK = "desk", _("At a library desk")


class ConsentRecord(models.Model):
    """One time a patron gave or withdrew consent for one purpose, with the policy version in
    force, the time and the channel. Rows are only added: the latest per purpose is the
    patron's choice now, the earlier ones show when it was made (kept while the account is)."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=24, choices=ConsentPurpose.choices)
    given = models.BooleanField()
    policy_version = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=8, choices=ConsentChannel.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["patron", "purpose"])]

    def __str__(self) -> str:
        return f"consent {self.purpose} of patron {self.patron_id}"


class CardBlock(models.Model):
    """A block on a card from a self-check kiosk (SIP2 message 01: the machine kept the card,
    or saw it misused). It stops borrowing until staff lift it at the desk (or a kiosk allowed
    to send 25 enables the patron again). The kiosk's own message is kept for the clerk; the
    terminal is named by its login (terminals live in an app above this one)."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="card_blocks")
    terminal = models.CharField(max_length=40)
    message = models.CharField(max_length=200, blank=True)
    card_retained = models.BooleanField(default=False)
    blocked_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=60, blank=True)  # "staff 12" or "terminal kiosk"

    class Meta:
        ordering = ["blocked_at", "pk"]
        indexes = [models.Index(fields=["patron", "lifted_at"])]

    def __str__(self) -> str:
        return f"card block {self.pk} of patron {self.patron_id}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class PatronNote(models.Model):
    """A note staff leave on an account for whoever serves the patron next ("the book from
    the other branch is on the hold shelf", "asked about large print"). Shown prominently on
    the serving page until a member of staff clears it (which deletes it), and deleted by the
    purge PATRON_NOTE_RETENTION_DAYS after it was written if nobody did. The author is kept
    as a role and a branch only, as the patron's export shows it; the audit log has who."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(max_length=500)
    written_at = models.DateTimeField()
    author_role = models.CharField(max_length=20)
    branch = models.CharField(max_length=12)

    class Meta:
        ordering = ["written_at", "pk"]
        indexes = [models.Index(fields=["patron", "written_at"])]

    def __str__(self) -> str:
        return f"note {self.pk} on patron {self.patron_id}"
