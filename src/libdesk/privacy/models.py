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


# --- The disclosure register -------------------------------------------------------------
# A request from a third party for someone else's information, and what the privacy officer
# decided about it. Both tables only grow: the services insert, nothing updates or deletes
# (the manager refuses to, and a database trigger refuses an UPDATE from anywhere, see
# migration 0002). Only the privacy officer reads them; the desk records a request and sees
# nothing of it again but its reference.


class RequesterKind(models.TextChoices):
    ANOTHER_PATRON = "another_patron", _("Another patron")
    FAMILY = "family", _("A relative or partner")
    EMPLOYER = "employer", _("An employer")
    POLICE = "police", _("Police")
    LAWYER = "lawyer", _("A lawyer")
    GOVERNMENT = "government", _("A government agency")
    MEDIA = "media", _("The media")
    OTHER = "other", _("Someone else")


class AuthorityKind(models.TextChoices):
    NONE = "none", _("None shown")
    WARRANT = "warrant", _("Search warrant")
    PRODUCTION_ORDER = "production_order", _("Production order")
    COURT_ORDER = "court_order", _("Court order")
    SUMMONS = "summons", _("Summons or subpoena")
    CONSENT = "consent", _("The patron's written consent")
    OTHER = "other", _("Other legal authority")


class DisclosureOutcome(models.TextChoices):
    REFUSED = "refused", _("Refused")
    DISCLOSED = "disclosed", _("Disclosed")
    PARTLY_DISCLOSED = "partly_disclosed", _("Partly disclosed")


class AppendOnly(Exception):
    """Something tried to change or remove an entry of the disclosure register."""


class AppendOnlyQuerySet(models.QuerySet):
    """The register's rows can be read and added, never changed or removed from Python."""

    def update(self, **kwargs):
        raise AppendOnly("the disclosure register is append-only: entries are never changed")

    def delete(self):
        raise AppendOnly("the disclosure register is append-only: entries are never removed")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("the disclosure register is append-only: entries are never changed")


class RegisterEntry(models.Model):
    """What both tables of the register share: an entry is written once, then only read."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("the disclosure register is append-only: entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("the disclosure register is append-only: entries are never removed")


class DisclosureRequest(RegisterEntry):
    """A request from a third party (another patron, an employer, the police...) for someone
    else's information, as the member of staff who received it recorded it. The answer given
    on the spot is always the refusal the policy requires; the request then waits for the
    privacy officer. Names the patron concerned only as the requester did, in `concerns`, and
    by id when the requester gave a card number: only the privacy officer reads it."""

    key = models.UUIDField(unique=True)  # a form sent twice records one request
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(
        "accounts.StaffUser", on_delete=models.PROTECT, related_name="+"
    )
    branch = models.CharField(max_length=12, blank=True)
    requester_kind = models.CharField(max_length=20, choices=RequesterKind.choices)
    requester = models.CharField(max_length=200)
    asked = models.TextField(max_length=4000)
    concerns = models.CharField(max_length=200)
    patron_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"third-party request {self.reference}"

    @property
    def reference(self) -> str:
        """What the requester is given, to quote when they write to the privacy officer."""
        return f"TPR-{self.pk:05d}"


class DisclosureDecision(RegisterEntry):
    """The privacy officer's decision on a request: who the requester proved to be, the legal
    authority they showed (a reference, never a scan), what it covers and what was decided. A
    request may get several (refused, then disclosed once a warrant came): the latest stands,
    the earlier ones stay. The database refuses a disclosure without an authority and scope."""

    key = models.UUIDField(unique=True)
    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.PROTECT, related_name="decisions"
    )
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    requester = models.CharField(max_length=200)
    authority_kind = models.CharField(max_length=20, choices=AuthorityKind.choices)
    authority_reference = models.CharField(max_length=200, blank=True)
    scope = models.TextField(max_length=4000, blank=True)
    outcome = models.CharField(max_length=20, choices=DisclosureOutcome.choices)
    patron_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="refused")
                | (
                    ~models.Q(authority_kind="none")
                    & ~models.Q(authority_reference="")
                    & ~models.Q(scope="")
                ),
                name="disclosure_needs_authority_and_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"decision {self.pk} on {self.request}"
