"""Patrons' rights that are not any one app's data: a request to correct a detail."""

from django.db import models
from django.db.models import Q


class CorrectionRequest(models.Model):
    """A patron asking staff to correct a detail of their record, in their own words. Kept
    only until staff handle it: marking it done deletes it (the audit log keeps that it was
    asked and handled, never the text)."""

    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=1000)
    asked_at = models.DateTimeField()

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="correction_has_text")]

    def __str__(self) -> str:
        return f"correction request {self.pk}"
