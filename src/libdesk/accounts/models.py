"""Staff accounts. Each member of staff has one role, which the access table consults."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from libdesk.access.table import STAFF_ROLE_CHOICES, Role

# Staff in these roles sign in with a second factor (any other member of staff may turn it on).
SECOND_FACTOR_ROLES = (Role.PRIVACY_OFFICER, Role.ADMINISTRATOR)


def new_stamp() -> str:
    return secrets.token_hex(16)


class StaffUser(AbstractUser):
    """A member of staff who signs in to the staff client.

    `credential_stamp` changes whenever something about how this person signs in or what they
    may do changes (password, role, disabled or enabled again): every web session and API token
    made under the old stamp stops working at once.
    """

    role = models.CharField(max_length=20, choices=STAFF_ROLE_CHOICES, default=Role.CLERK)
    credential_stamp = models.CharField(max_length=32, default=new_stamp)

    class Meta:
        verbose_name = "staff member"
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django signs each session with this; the stamp joins the password in it, so
        rotating the stamp ends every session (SECRET_KEY_FALLBACKS still honoured)."""
        return salted_hmac(
            "libdesk.accounts.StaffUser.session",
            f"{self.password}:{self.credential_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES


class SecondFactor(models.Model):
    """A staff member's authenticator (TOTP, RFC 6238). Unconfirmed until the first code
    from the app is entered; `last_step` refuses a code used once already (replay)."""

    staff = models.OneToOneField(StaffUser, on_delete=models.CASCADE, related_name="second_factor")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"second factor of staff {self.staff_id}"


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator; stored as a hash."""

    staff = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of staff {self.staff_id}"


class Workstation(models.Model):
    """A registered staff computer or API client; it fixes the branch staff act for."""

    name = models.CharField(max_length=60, unique=True)
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
