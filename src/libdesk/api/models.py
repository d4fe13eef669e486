"""API tokens, stored as hashes so no database dump or log reveals a usable one."""

from django.db import models
from django.db.models import Q


class ApiToken(models.Model):
    """A bearer token for a staff client (bound to a workstation) or a patron. Only a hash of
    its secret is stored, and it ends with its holder's credential stamp."""

    STAFF, PATRON = "staff", "patron"

    public_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=6, choices=[(STAFF, "staff"), (PATRON, "patron")])
    staff = models.ForeignKey(
        "accounts.StaffUser", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    workstation = models.ForeignKey(
        "accounts.Workstation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The holder's credential stamp when the token was issued: a lost card, a new PIN or
    # password, a role change or disabling ends the token with every session.
    holder_stamp = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="staff",
                        staff__isnull=False,
                        workstation__isnull=False,
                        patron__isnull=True,
                    )
                    | Q(kind="patron", patron__isnull=False, staff__isnull=True)
                ),
                name="api_token_has_one_holder",
            )
        ]

    def __str__(self) -> str:
        return f"token {self.public_id}"


class IdempotentReply(models.Model):
    """The answer to a state-changing call made with an Idempotency-Key, so a retry gets the
    same answer without the work being done twice. Kept a day, and dropped at once when the
    loan it answered about loses its patron. It names no token and holds no readable answer:
    `lookup` and `request_hash` are keyed hashes and `sealed` is the answer encrypted with a key
    only the asking client can supply (api/idempotency.py)."""

    lookup = models.CharField(max_length=64, unique=True)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    sealed = models.TextField()
    loan_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"reply {self.pk}"
