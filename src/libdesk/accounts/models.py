"""Staff accounts. Each member of staff has one role, which the access table consults."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Circulation clerk")
    LIBRARIAN = "librarian", _("Librarian")
    HEAD_LIBRARIAN = "head_librarian", _("Head Librarian")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class StaffUser(AbstractUser):
    """A member of staff who signs in to the staff client."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLERK)

    class Meta:
        verbose_name = "staff member"
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Workstation(models.Model):
    """A registered staff computer or API client; it fixes the branch staff act for."""

    name = models.CharField(max_length=60, unique=True)
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
