"""Checkout: one transaction, audited by loan and item only. The patron's blocks (card, limits,
fees) and the item's (not lendable, on loan, wanted by the queue) each refuse with a Decision;
what a clerk may set aside is in `overrides`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.models import Item, ItemStatus
from libdesk.circulation import counts
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import (
    CAPTURED_HOLD,
    ZERO,
    Fee,
    Hold,
    Loan,
    LoanRule,
    OverrideKind,
)
from libdesk.circulation.rules import NoLoanRule, due_date, rule_for, terms
from libdesk.circulation.services.alternatives import alternatives_for
from libdesk.circulation.services.overrides import record_override, refuse, refuse_unless_overridden
from libdesk.circulation.services.queue import queue_for, reindex, satisfies, waiting_now
from libdesk.circulation.services.routing import fulfil_for
from libdesk.core import clock, metrics
from libdesk.core.decisions import Decision, Refused
from libdesk.core.statements import Insert, Select, Update
from libdesk.patrons.models import CardBlock, Patron

# The override kind recorded when a block is set aside, by action.
OVERRIDE_KIND = {"checkout": OverrideKind.CHECKOUT_BLOCK, "renew": OverrideKind.RENEWAL_BLOCK}


NOT_LENDABLE = {
    ItemStatus.MISSING,
    ItemStatus.LOST,
    ItemStatus.IN_REPAIR,
    ItemStatus.DAMAGED,
    ItemStatus.CLAIMED_RETURNED,
    ItemStatus.WITHDRAWN,
    ItemStatus.LIBRARY_USE,
}


@dataclass(frozen=True)
class LoanResult:
    decision: Decision
    loan: Loan
    created: bool = True


def _item_statement(lock: bool, with_loan: bool) -> Select:
    def build(barcode: str):
        query = Item.objects.select_related("record", "branch").defer("record__marc")
        if lock:
            query = query.select_for_update(of=("self",))
        if with_loan:
            open_loan = Loan.objects.filter(item=OuterRef("pk"), closed_at__isnull=True)
            query = query.annotate(
                open_loan_id=Subquery(open_loan.values("pk")[:1]),
                open_loan_patron_id=Subquery(open_loan.values("patron_id")[:1]),
            )
        return query.filter(barcode=barcode)

    return Select(build, barcode=str)


ITEM_BY_BARCODE = {(lock, loan): _item_statement(lock, loan) for lock in (0, 1) for loan in (0, 1)}


def item_by_barcode(barcode: str, *, lock: bool = False, with_loan: bool = False) -> Item:
    """The copy with this barcode; `with_loan` adds its open loan's id and patron id (one
    query instead of two on the checkout path)."""
    barcode = (barcode or "").strip()
    if not barcode:
        raise CirculationError("item_barcode", _("scan or type the item's barcode"))
    item = ITEM_BY_BARCODE[int(lock), int(with_loan)].first(barcode=barcode)
    if item is None:
        raise CirculationError("item_barcode", _("no item has the barcode %s") % barcode)
    return item


def checkout(
    desk: Desk, patron: Patron, barcode: str, *, override: OverrideRequest | None = None
) -> LoanResult:
    """Lend one item to the patron whose card was presented, or refuse with the reason."""
    if override is not None:
        desk.require_may_override()
    try:
        with transaction.atomic():
            return _checkout(desk, patron, barcode, override)
    except IntegrityError as exc:  # a concurrent checkout of the same copy won the race
        raise Refused(Decision.refuse("item_on_loan")) from exc


def _checkout(desk: Desk, patron: Patron, barcode: str, override) -> LoanResult:
    item = item_by_barcode(barcode, lock=True, with_loan=True)
    if item.open_loan_id is not None and item.open_loan_patron_id == patron.pk:
        existing = Loan.objects.get(pk=item.open_loan_id)  # a second scan: no second loan
        decision = Decision.allow("already_on_loan_to_patron", due=existing.due)
        return LoanResult(decision, existing, created=False)
    rule = loan_rule_for(patron, item, desk, override)
    patron, on_loan, owed = _standing(patron.pk, rule)
    refusal, queue = _item_refusal(item, patron)
    if refusal is not None:
        alternatives = alternatives_for(item.record, patron, desk.branch, exclude=item)
        refuse(refusal.with_alternatives(alternatives), override)
    blocks = patron_blocks(patron, rule, on_loan=on_loan, owed=owed)
    refuse_unless_overridden(blocks, override)
    loan = Loan(
        item=item,
        patron=patron,
        branch=desk.branch,
        patron_category=patron.category,
        rule=rule,
        via=desk.via,
        checked_out_at=clock.now(),
        due=due_date(rule, desk.branch, clock.today()),
    )
    NEW_LOAN.save(loan)
    fulfil_for(patron, item, queue=queue)
    set_status(item, ItemStatus.ON_LOAN)
    counts.count("checkout", desk.branch, item.record.material_type, patron.category)
    transaction.on_commit(lambda: metrics.checked_out(desk.via))
    lent(desk, "checkout", loan, blocks, override)
    if blocks:
        decision = Decision.override("checkout_overridden", cause=blocks[0], due=loan.due)
        return LoanResult(decision, loan)
    return LoanResult(Decision.allow("checkout_granted", due=loan.due), loan)


def audit_loan(desk: Desk, action: str, loan: Loan) -> None:
    """A circulation entry names the acting party, the loan and the item: never the patron."""
    audit.record(
        desk.actor,
        f"circulation.{action}",
        object_type="loan",
        object_id=loan.pk,
        reason=f"item {loan.item_id}",
    )


def lent(desk: Desk, action: str, loan: Loan, blocks: list[Decision], override) -> None:
    """Audit a checkout or renewal (by loan and item) and record the override it needed."""
    audit_loan(desk, action, loan)
    if blocks:
        record_override(desk, OVERRIDE_KIND[action], override, loan, blocks[0].code)


def _standing_statement(by_material: bool) -> Select:
    def build(patron_id: int, material_type: str = ""):
        on_loan = Loan.objects.filter(patron=OuterRef("pk"), closed_at__isnull=True)
        if by_material:
            on_loan = on_loan.filter(item__record__material_type=material_type)
        owed = Fee.objects.filter(patron=OuterRef("pk"), closed_at__isnull=True)
        return (
            Patron.objects.select_for_update(of=("self",))
            .annotate(
                loans_now=Subquery(
                    on_loan.order_by().values("patron").annotate(n=Count("pk")).values("n")
                ),
                fees_owed=Subquery(
                    owed.order_by().values("patron").annotate(s=Sum("balance")).values("s")
                ),
                card_blocked=Exists(
                    CardBlock.objects.filter(patron=OuterRef("pk"), lifted_at__isnull=True)
                ),
            )
            .filter(pk=patron_id)
        )

    if by_material:
        return Select(build, patron_id=int, material_type=str)
    return Select(build, patron_id=int)


STANDING = {False: _standing_statement(False), True: _standing_statement(True)}


def _standing(patron_id: int, rule: LoanRule) -> tuple[Patron, int, Decimal]:
    """The patron, locked for this checkout, with their loans counted (of the rule's material
    type when the rule has one) and their open fees summed, in one query."""
    if rule.material_type:
        patron = STANDING[True].first(patron_id=patron_id, material_type=rule.material_type)
    else:
        patron = STANDING[False].first(patron_id=patron_id)
    if patron is None:
        raise Patron.DoesNotExist(f"no patron {patron_id}")
    return patron, patron.loans_now or 0, Decimal(patron.fees_owed or 0)


def _item_refusal(item: Item, patron: Patron) -> tuple[Decision | None, list | None]:
    """Why this copy cannot go to this patron, if it cannot; and the hold queue it was
    checked against (reused to fill the patron's own hold)."""
    if item.open_loan_id is not None or item.status == ItemStatus.ON_LOAN:
        return Decision.refuse("item_on_loan"), None
    if item.status in NOT_LENDABLE:
        return Decision.refuse("item_not_for_loan", status=_status_words(item)), None
    if item.status in (ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT):
        holder = (
            Hold.objects.filter(captured_item=item, status__in=CAPTURED_HOLD)
            .values_list("patron_id", flat=True)
            .first()
        )
        if holder == patron.pk:
            return None, None
        if (
            holder is not None
            or Hold.objects.filter(captured_item=item, status__in=CAPTURED_HOLD).exists()
        ):
            return Decision.refuse("item_held_for_another", status=_status_words(item)), None
        # otherwise on its way home: in hand, and free unless the queue needs it
    queue = queue_for(item)
    waiting, spare = queue_claims(item, patron, queue)
    if waiting > spare:
        return Decision.refuse("item_wanted_by_holds", waiting=waiting, spare=spare), queue
    return None, queue


def _status_words(item: Item) -> str:
    return item.get_status_display().lower()


def queue_claims(item: Item, patron: Patron, queue: list[Hold]) -> tuple[int, int]:
    """How many holds ahead of this patron this copy could fill, and how many other copies on
    the shelf could fill them instead. A walk-in takes the copy only if the others suffice."""
    today = clock.today()
    queue = [h for h in queue if waiting_now(h, today)]
    mine = next((h for h in queue if h.patron_id == patron.pk), None)
    ahead = queue[: queue.index(mine)] if mine is not None else queue
    if not ahead:
        return 0, 0
    others = Item.objects.filter(status=ItemStatus.AVAILABLE).exclude(pk=item.pk)
    spare = sum(
        1
        for other in others.filter(record__work_id=item.record.work_id).select_related("record")
        if any(satisfies(h, other) for h in ahead)
    )
    return len(ahead), spare


def loan_rule_for(
    patron: Patron, item: Item, desk: Desk, override: OverrideRequest | None
) -> LoanRule:
    """The loan rule for this patron and copy here; without one it cannot be lent (and no
    override can invent its terms)."""
    try:
        return rule_for(patron.category, item.record.material_type, desk.branch)
    except NoLoanRule as exc:
        refuse(exc.decision(), override)


def patron_blocks(
    patron: Patron,
    rule: LoanRule | None,
    *,
    on_loan: int | None = None,
    owed: Decimal | None = None,
) -> list[Decision]:
    """Everything that stops this patron borrowing, most basic first. Counts already taken
    (by `_standing`) are passed in rather than queried again."""
    blocks = []
    if patron.card_lost_at:
        blocks.append(Decision.refuse("card_lost"))
    if card_blocked(patron):
        blocks.append(Decision.refuse("card_blocked"))
    if patron.card_expires < clock.today():
        blocks.append(Decision.refuse("card_expired", expired=patron.card_expires))
    if rule is not None:
        if on_loan is None:
            loans_now = Loan.objects.filter(patron=patron, closed_at__isnull=True)
            if rule.material_type:
                loans_now = loans_now.filter(item__record__material_type=rule.material_type)
            on_loan = loans_now.count()
        if on_loan >= rule.max_items:
            blocks.append(Decision.refuse("too_many_items", count=on_loan, limit=rule.max_items))
    owed = fees_owed(patron) if owed is None else owed
    if owed > ZERO:  # only a library that charges fees ever reads the limit
        limit = terms().fee_block_limit
        if limit > ZERO and owed >= limit:
            blocks.append(Decision.refuse("fees_over_limit", owed=owed, limit=limit))
    return blocks


def card_blocked(patron: Patron) -> bool:
    """Whether a kiosk blocked this card (SIP2 01) and staff have not lifted it yet; read from
    the checkout's one standing query when it was made."""
    known = getattr(patron, "card_blocked", None)
    if known is not None:
        return bool(known)
    return CardBlock.objects.filter(patron=patron, lifted_at__isnull=True).exists()


def fees_owed(patron: Patron) -> Decimal:
    total = Fee.objects.filter(patron=patron, closed_at__isnull=True).aggregate(s=Sum("balance"))
    return total["s"] or ZERO


SET_STATUS = Update(
    lambda pk, status, in_transit_to: (
        Item.objects.filter(pk=pk),
        {"status": status, "in_transit_to_id": in_transit_to},
    ),
    pk=int,
    status=str,
    in_transit_to=int,
)


NEW_LOAN = Insert(
    Loan,
    item_id=int,
    patron_id=int,
    branch_id=int,
    patron_category=str,
    rule_id=int,
    via=str,
    checked_out_at=datetime,
    due=date,
)


def set_status(item: Item, status: str) -> None:
    item.status = status
    if status != ItemStatus.IN_TRANSIT:
        item.in_transit_to = None
    SET_STATUS.run(pk=item.pk, status=status, in_transit_to=item.in_transit_to_id)
    reindex(item.record_id)
