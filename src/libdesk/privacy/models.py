"""Serving contexts: the only way staff open a patron's account."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    CARD_PRESENTED = "card_presented", _("Card presented")
    ID_CHECKED = "id_checked", _("Identity document checked")
    VERIFICATION_QUESTIONS = "verification_questions", _("Verification questions answered")
    GUARDIAN_WITH_CHILD_CARD = "guardian_with_child_card", _("Guardian with the child's card")
    GUARDIAN_ID_CHECKED = "guardian_id_checked", _("Guardian's identity checked")


GUARDIAN_BASES = {Basis.GUARDIAN_WITH_CHILD_CARD, Basis.GUARDIAN_ID_CHECKED}


class ServingContext(models.Model):
    """A member of staff serving one patron, opened on a recorded basis, ending when the clerk
    finishes or after the idle time. Reads of the account inside it are audited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    workstation = models.ForeignKey(
        "accounts.Workstation", on_delete=models.PROTECT, related_name="+"
    )
    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    basis = models.CharField(max_length=30, choices=Basis.choices)
    note = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"serving context {self.id}"
