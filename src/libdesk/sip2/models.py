"""Self-check terminals: the accounts kiosks, automated returns and e-book services log in
with over SIP2 (message 93). Reference data an administrator configures in the staff client;
nothing here is patron-linked."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Every request message libdesk answers, by its SIP2 code, and what it does.
MESSAGES = {
    "99": _("Status"),
    "23": _("Patron status"),
    "63": _("Patron information"),
    "11": _("Checkout"),
    "09": _("Check-in"),
    "17": _("Item information"),
    "29": _("Renew"),
    "65": _("Renew all"),
    "15": _("Hold"),
    "35": _("End patron session"),
    "37": _("Fee paid"),
    "01": _("Block patron"),
    "25": _("Patron enable (lifts a kiosk's block)"),
}
# Login (93) and resend (97) are always allowed: without them nothing else works.
ALWAYS_ALLOWED = ("93", "97")
DEFAULT_MESSAGES = [code for code in MESSAGES if code != "25"]


class PatronField(models.TextChoices):
    """What a terminal may be told about a patron who proved their PIN. Address, e-mail and
    phone are never on by default: a kiosk has no use for them (PRIVACY.md)."""

    NAME = "name", _("Name")
    VALIDITY = "validity", _("Card validity")
    COUNTS = "counts", _("Counts of loans, holds and overdues")
    FEES = "fees", _("Fees owed")
    ITEMS = "items", _("Lists of the patron's own loans and holds")
    LANGUAGE = "language", _("Preferred language")
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Postal address")


DEFAULT_PATRON_FIELDS = [
    PatronField.NAME.value,
    PatronField.VALIDITY.value,
    PatronField.COUNTS.value,
    PatronField.FEES.value,
]


class Encoding(models.TextChoices):
    UTF8 = "utf-8", _("UTF-8")
    CP850 = "cp850", _("Code page 850 (older kiosks)")


class Terminal(models.Model):
    """One SIP2 login. Its institution and branch come from here, never from what the kiosk
    sends; its password is an argon2 hash like a staff password."""

    login = models.CharField(max_length=40, unique=True)
    password_hash = models.CharField(max_length=200)
    name = models.CharField(max_length=100, blank=True)  # "Main, by the door"
    institution = models.CharField(max_length=40)
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    encoding = models.CharField(max_length=8, choices=Encoding.choices, default=Encoding.UTF8)
    messages = models.JSONField(default=list)  # request codes allowed, of MESSAGES
    patron_fields = models.JSONField(default=list)  # of PatronField
    error_detection = models.BooleanField(default=True)
    pin_every_time = models.BooleanField(default=False)
    pin_not_required = models.BooleanField(default=False)
    # Offline ("no block") loans and returns the kiosk replays with its own dates: only from a
    # machine known to work offline, and only within LIBDESK_SIP2_OFFLINE_DAYS.
    accepts_offline = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["login"]

    def __str__(self) -> str:
        return self.login

    def allows(self, code: str) -> bool:
        return code in ALWAYS_ALLOWED or code in self.messages

    def may_tell(self, field: str) -> bool:
        return field in self.patron_fields
