"""Circulation: rules as data, loans, holds, requests, fees, overrides and the counts behind
the board's figures.

Confidentiality is structural here (PRIVACY.md): a loan keeps its patron only while it is open
or a fee on it is open; a hold keeps its patron only while it is active (and a day after); the
statistics tables hold branch, day, material type and patron category, never a patron.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libdesk.catalog.models import MaterialType
from libdesk.core.models import Rule
from libdesk.patrons.models import Category

ZERO = Decimal("0.00")
# The most any amount may be: what a money column holds (8 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("999999.99")
# Rule limits: a loan period or a count past these is a typing slip, and a loan period of
# millions of days would overflow every date computed from it.
MAX_LOAN_DAYS, MAX_COUNT = 3660, 10_000


class LoanRule(Rule):
    """How one patron category borrows one material type (blank means any), optionally only at
    one lending branch. The most specific matching row applies: branch, then material type,
    then category."""

    patron_category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    material_type = models.CharField(max_length=20, choices=MaterialType.choices, blank=True)
    branch = models.ForeignKey(
        "library.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    loan_days = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_LOAN_DAYS)])
    renewals = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_COUNT)])
    max_items = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_COUNT)])
    max_holds = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_COUNT)])
    fine_per_day = models.DecimalField(
        max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    fine_cap = models.DecimalField(
        max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    lost_charge = models.DecimalField(
        max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )

    class Meta(Rule.Meta):
        ordering = ["patron_category", "material_type", "branch__code"]
        constraints = [
            *Rule.Meta.constraints,
            models.CheckConstraint(condition=Q(loan_days__gte=1), name="loan_rule_lends"),
            models.CheckConstraint(condition=Q(fine_per_day__gte=0), name="loan_rule_fine_ge_0"),
            models.CheckConstraint(condition=Q(fine_cap__gte=0), name="loan_rule_cap_ge_0"),
            models.CheckConstraint(condition=Q(lost_charge__gte=0), name="loan_rule_lost_ge_0"),
        ]

    def __str__(self) -> str:
        who = self.get_patron_category_display() if self.patron_category else _("Everyone")
        what = self.get_material_type_display() if self.material_type else _("any material")
        where = f" ({self.branch.name})" if self.branch_id else ""
        return _(
            "%(who)s, %(what)s%(where)s: %(days)s days, %(renewals)s renewals, "
            "%(items)s items, %(holds)s holds"
        ) % {
            "who": who,
            "what": what,
            "where": where,
            "days": self.loan_days,
            "renewals": self.renewals,
            "items": self.max_items,
            "holds": self.max_holds,
        }


class DeskTerms(Rule):
    """The library-wide circulation terms (one row): hold shelf, transit, notices, fee block."""

    hold_shelf_days = models.PositiveIntegerField(default=7)
    transit_days = models.PositiveIntegerField(default=2)
    due_soon_days = models.PositiveIntegerField(default=3)
    fee_block_limit = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("10"))
    max_open_requests = models.PositiveIntegerField(default=10)
    notices_name_titles = models.BooleanField(
        default=True,
        help_text=_("Name the titles in e-mail notices (only ever to the patron's own address)."),
    )

    def __str__(self) -> str:
        return _(
            "Holds wait %(shelf)s days on the shelf; transfers take about %(transit)s days; "
            "borrowing stops when fees reach %(limit)s"
        ) % {
            "shelf": self.hold_shelf_days,
            "transit": self.transit_days,
            "limit": self.fee_block_limit,
        }


class Via(models.TextChoices):
    DESK = "desk", _("Staff desk")
    API = "api", _("Staff API")
    SELF = "self", _("Patron self-service")
    KIOSK = "kiosk", _("Self-check kiosk")


class LoanState(models.TextChoices):
    OPEN = "open", _("On loan")
    CLAIMED_RETURNED = "claimed_returned", _("Claimed returned")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")


OPEN_LOAN_STATES = (LoanState.OPEN, LoanState.CLAIMED_RETURNED)


class Loan(models.Model):
    """One item lent to one patron. The patron link goes in the check-in's transaction (or
    when the last fee on the loan closes), and nothing else pairs them."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="loans")
    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    patron_category = models.CharField(max_length=12, choices=Category.choices)
    rule = models.ForeignKey(LoanRule, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=LoanState.choices, default=LoanState.OPEN)
    via = models.CharField(max_length=8, choices=Via.choices)
    checked_out_at = models.DateTimeField()
    due = models.DateField()
    renewals_used = models.PositiveIntegerField(default=0)
    # The library day of the last renewal: asked again that day, the renewal is already done
    # (granted with the same due date, counted once).
    renewed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(closed_at__isnull=True), name="one_open_loan_per_item"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(state__in=OPEN_LOAN_STATES),
                name="closed_loan_is_closed",
            ),
        ]
        indexes = [models.Index(fields=["patron", "closed_at"]), models.Index(fields=["due"])]

    def __str__(self) -> str:
        return f"loan {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class HoldStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_TRANSIT = "in_transit", _("On its way to the pickup branch")
    READY = "ready", _("Ready for pickup")
    SUSPENDED = "suspended", _("Suspended")
    FULFILLED = "fulfilled", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Not picked up in time")


ACTIVE_HOLD = (HoldStatus.WAITING, HoldStatus.SUSPENDED, HoldStatus.IN_TRANSIT, HoldStatus.READY)
QUEUED_HOLD = (HoldStatus.WAITING, HoldStatus.SUSPENDED)
CAPTURED_HOLD = (HoldStatus.IN_TRANSIT, HoldStatus.READY)
ENDED_HOLD = (HoldStatus.FULFILLED, HoldStatus.CANCELLED, HoldStatus.EXPIRED)


class Hold(models.Model):
    """A request for a title (any copy of a record; any record of the work when `work` is set)
    or for one item. The queue is the order of placement: there is no priority field."""

    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey(
        "catalog.Work", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    formats = models.JSONField(default=list, blank=True)  # material types accepted, [] = any
    pickup_branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=HoldStatus.choices)
    suspended_until = models.DateField(null=True, blank=True)
    captured_item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    captured_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    shelf_expires = models.DateField(null=True, blank=True)
    pickup_code = models.CharField(max_length=12, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["captured_item"],
                condition=Q(status__in=CAPTURED_HOLD),
                name="one_hold_per_captured_item",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=CAPTURED_HOLD) | Q(captured_item__isnull=False),
                name="captured_hold_has_item",
            ),
        ]
        indexes = [
            models.Index(fields=["record", "status"]),
            models.Index(fields=["work", "status"]),
            models.Index(fields=["patron", "status"]),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_HOLD


class RequestKind(models.TextChoices):
    ILL = "ill", _("Interlibrary loan")
    PURCHASE = "purchase", _("Purchase suggestion")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REQUEST = (RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS)


class PatronRequest(models.Model):
    """An interlibrary loan request or a purchase suggestion, handled in first-come order."""

    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    record = models.ForeignKey(
        "catalog.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=500)
    author = models.CharField(max_length=300, blank=True)
    isbn = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    pickup_branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    staff_note = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"request {self.pk}"


class FeeKind(models.TextChoices):
    OVERDUE = "overdue", _("Overdue fine")
    LOST = "lost", _("Lost item")
    DAMAGE = "damage", _("Damaged item")


class Fee(models.Model):
    """Money a patron owes. While it is open it keeps its loan; when it closes the loan link
    goes (and the loan's patron link with it, if the loan is already closed), and after the
    retention period the patron link too."""

    # A settled fee loses its patron after CLOSED_FEE_RETENTION_DAYS, or when the account
    # closes: the amount and its payments stay for the library's accounts, naming nobody.
    patron = models.ForeignKey(
        "patrons.Patron", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loan = models.ForeignKey(
        Loan, null=True, blank=True, on_delete=models.SET_NULL, related_name="fees"
    )
    kind = models.CharField(max_length=10, choices=FeeKind.choices)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    balance = models.DecimalField(max_digits=8, decimal_places=2)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_positive"),
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=models.F("amount")),
                name="fee_balance_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"fee {self.pk}"


class Payment(models.Model):
    """Money received against a fee; the receipt number is what the patron keeps."""

    fee = models.ForeignKey(Fee, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    method = models.CharField(max_length=10, choices=[("cash", _("Cash")), ("card", _("Card"))])
    receipt = models.CharField(max_length=20, unique=True)
    # Taken by a member of staff at a desk, or by a kiosk's card reader (SIP2 37), which names
    # its terminal and the transaction id it gave the payment: a resent 37 is applied once.
    staff = models.ForeignKey(
        "accounts.StaffUser", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    terminal = models.CharField(max_length=40, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | ~Q(terminal=""), name="payment_has_a_taker"
            ),
            models.UniqueConstraint(
                fields=["terminal", "transaction_id", "fee"],
                condition=~Q(transaction_id=""),
                name="kiosk_payment_once",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt


class OverrideKind(models.TextChoices):
    CHECKOUT_BLOCK = "checkout_block", _("Let a blocked checkout through")
    RENEWAL_BLOCK = "renewal_block", _("Let a blocked renewal through")
    EXTEND_DUE = "extend_due", _("Extend a due date")
    WAIVE_FEE = "waive_fee", _("Waive a fee")


class OverrideReason(models.TextChoices):
    PATRON_CIRCUMSTANCES = "circumstances", _("Patron's circumstances")
    ACCESSIBILITY = "accessibility", _("Accessibility need")
    LIBRARY_ERROR = "library_error", _("Library error")
    CLOSURE = "closure", _("Library closure or disruption")
    FIRST_TIME = "first_time", _("First time; goodwill")
    OTHER = "other", _("Other (see note)")


class Override(models.Model):
    """A judgment call in the patron's favour (policy clause patrons-favour), with its reason.
    It names the loan or fee it eased, never the patron."""

    kind = models.CharField(max_length=16, choices=OverrideKind.choices)
    reason = models.CharField(max_length=16, choices=OverrideReason.choices)
    note = models.CharField(max_length=300)
    refusal_code = models.CharField(max_length=40, blank=True)
    staff = models.ForeignKey("accounts.StaffUser", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("library.Branch", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey(
        Loan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="override_has_note"),
        ]

    def __str__(self) -> str:
        return f"override {self.pk}"


class CirculationCount(models.Model):
    """Daily counts for the board: no patron, only non-identifying dimensions."""

    day = models.DateField()
    branch = models.ForeignKey("library.Branch", on_delete=models.CASCADE, related_name="+")
    material_type = models.CharField(max_length=20)
    patron_category = models.CharField(max_length=12)
    event = models.CharField(max_length=10)  # checkout, checkin, renewal
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch", "material_type", "patron_category", "event"],
                name="circulation_count_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.event} {self.count}"


class WaitFigure(models.Model):
    """How long one request waited, kept without any id of the request or the patron."""

    kind = models.CharField(max_length=10)  # hold, ill, purchase
    branch = models.ForeignKey("library.Branch", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the day it was met
    hours = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["kind", "day"])]

    def __str__(self) -> str:
        return f"{self.kind} waited {self.hours:.1f} h"


class NoticeSent(models.Model):
    """Which notices went out, so a re-run job never sends one twice. Names the loan, hold or
    request, never the patron."""

    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    stage = models.CharField(max_length=20, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "stage"], name="notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} notice {self.object_id}"


class ReadingHistoryEntry(models.Model):
    """A title the patron borrowed, written at check-in only while the patron consents to
    keeping a reading history (PRIVACY.md: opt-in, in its own table): the record and the day
    it came back, never the copy or the loan. Withdrawing consent deletes every entry."""

    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="+")
    returned_on = models.DateField()

    class Meta:
        ordering = ["-returned_on", "-pk"]
        indexes = [models.Index(fields=["patron", "returned_on"])]
        verbose_name_plural = "reading history entries"

    def __str__(self) -> str:
        return f"reading history entry {self.pk}"


class ConflictKind(models.TextChoices):
    """What went wrong when a kiosk's offline ("no block") transaction was applied later."""

    WAS_ON_LOAN = "was_on_loan", _("The item was on loan to someone else; it was checked in first")
    BLOCKED = "blocked", _("The patron could not have borrowed it (a block was set aside)")
    HELD = "held", _("The item was waiting for another patron's hold")
    NOT_LENDABLE = "not_lendable", _("The item was not for loan")
    UNKNOWN_ITEM = "unknown_item", _("No item has this barcode")
    LATER_LOAN = "later_loan", _("A later loan of the item was already recorded")


class OfflineConflict(models.Model):
    """An offline transaction a kiosk replayed that did not fit what the library knew. It names
    the patron whose account it touched, so staff see it only while serving that patron (no
    list pairs patrons with items outside one); resolved ones are purged after a while."""

    patron = models.ForeignKey(
        "patrons.Patron", on_delete=models.CASCADE, related_name="offline_conflicts"
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    barcode = models.CharField(max_length=40)
    kind = models.CharField(max_length=14, choices=ConflictKind.choices)
    terminal = models.CharField(max_length=40)
    happened_at = models.DateTimeField()  # the kiosk's own date for the transaction
    recorded_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["happened_at", "pk"]
        indexes = [models.Index(fields=["patron", "resolved_at"])]

    def __str__(self) -> str:
        return f"offline conflict {self.pk}"
