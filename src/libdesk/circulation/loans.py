"""Checkout, check-in and renewal: one transaction each, audited by loan and item only.

A check-in unlinks the loan from its patron in the same transaction, unless a fee on the loan
is still open (then `fees` unlinks it when the fee closes).

Every refusal is a Decision; what a clerk may override is in `overrides`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.models import Item, ItemStatus
from libdesk.circulation import counts, holds
from libdesk.circulation.alternatives import alternatives_for, renewal_alternatives
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import (
    CAPTURED_HOLD,
    ZERO,
    Fee,
    FeeKind,
    Hold,
    Loan,
    LoanRule,
    LoanState,
    OverrideKind,
)
from libdesk.circulation.overrides import record_override, refuse, refuse_unless_overridden
from libdesk.circulation.rules import NoLoanRule, due_date, overdue_fine, rule_for, terms
from libdesk.core import clock
from libdesk.core.bounds import DATE_MAX
from libdesk.core.decisions import Decision, Refused
from libdesk.core.statements import Insert, Select, Update
from libdesk.patrons.models import Patron

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


@dataclass(frozen=True)
class CheckinResult:
    item: Item
    hold: Hold | None
    fee: Fee | None
    loan_id: int | None


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
    rule = _rule(patron, item, desk, override)
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
    holds.fulfil_for(patron, item, queue=queue)
    _set_status(item, ItemStatus.ON_LOAN)
    counts.count("checkout", desk.branch, item.record.material_type, patron.category)
    _lent(desk, "checkout", loan, blocks, override)
    if blocks:
        decision = Decision.override("checkout_overridden", cause=blocks[0], due=loan.due)
        return LoanResult(decision, loan)
    return LoanResult(Decision.allow("checkout_granted", due=loan.due), loan)


def _audit_loan(desk: Desk, action: str, loan: Loan) -> None:
    """A circulation entry names the acting party, the loan and the item: never the patron."""
    audit.record(
        desk.actor,
        f"circulation.{action}",
        object_type="loan",
        object_id=loan.pk,
        reason=f"item {loan.item_id}",
    )


def _lent(desk: Desk, action: str, loan: Loan, blocks: list[Decision], override) -> None:
    """Audit a checkout or renewal (by loan and item) and record the override it needed."""
    _audit_loan(desk, action, loan)
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
    queue = holds.queue_for(item)
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
    queue = [h for h in queue if holds.waiting_now(h, today)]
    mine = next((h for h in queue if h.patron_id == patron.pk), None)
    ahead = queue[: queue.index(mine)] if mine is not None else queue
    if not ahead:
        return 0, 0
    others = Item.objects.filter(status=ItemStatus.AVAILABLE).exclude(pk=item.pk)
    spare = sum(
        1
        for other in others.filter(record__work_id=item.record.work_id).select_related("record")
        if any(holds.satisfies(h, other) for h in ahead)
    )
    return len(ahead), spare


def _rule(patron: Patron, item: Item, desk: Desk, override: OverrideRequest | None) -> LoanRule:
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


def _set_status(item: Item, status: str) -> None:
    item.status = status
    if status != ItemStatus.IN_TRANSIT:
        item.in_transit_to = None
    SET_STATUS.run(pk=item.pk, status=status, in_transit_to=item.in_transit_to_id)
    holds.reindex(item.record_id)


OPEN_LOAN = Select(
    lambda item: (
        Loan.objects.select_for_update(of=("self",))
        .select_related("rule")
        .filter(item_id=item, closed_at__isnull=True)[:1]
    ),
    item=int,
)
CLOSE_LOAN = Update(
    lambda pk, state, closed_at: (
        Loan.objects.filter(pk=pk),
        {"state": state, "closed_at": closed_at},
    ),
    pk=int,
    state=str,
    closed_at=datetime,
)


def checkin(desk: Desk, barcode: str) -> CheckinResult:
    """The item is back in the library's hands: close its loan (unlinking the patron), then
    send it to the first hold in line, its shelf, or in transit."""
    with transaction.atomic():
        item = item_by_barcode(barcode, lock=True)
        loan = OPEN_LOAN.first(item=item.pk)
        fee = _close_loan(loan, LoanState.RETURNED) if loan is not None else None
        if loan is not None:
            counts.count("checkin", desk.branch, item.record.material_type, loan.patron_category)
        if loan is None and item.status == ItemStatus.LOST:
            _found(desk, item)
        hold = holds.receive(item, desk.branch)
        _set_status(item, item.status)
        audit.record(
            desk.actor,
            "circulation.checkin",
            object_type="loan" if loan else "item",
            object_id=loan.pk if loan else item.pk,
            reason=f"item {item.pk}",
        )
    return CheckinResult(item, hold, fee, loan.pk if loan else None)


def _found(desk: Desk, item: Item) -> None:
    """A copy charged as lost turns up: what is still owed for it is cancelled, in the
    patron's favour (money already paid is refunded at the desk, by hand)."""
    from libdesk.circulation.fees import cancel_balance

    for fee in Fee.objects.select_for_update().filter(
        loan__item=item, kind=FeeKind.LOST, closed_at__isnull=True
    ):
        cancel_balance(desk, fee, "item found")


def _close_loan(loan: Loan, state: str, charge: Decimal = ZERO, kind: str = "") -> Fee | None:
    """Close a loan, charge what the rules say, and unlink the patron if nothing is owed."""
    from libdesk.circulation.fees import charge_fee, unlink_if_settled

    now = clock.now()
    fee = None
    if state == LoanState.RETURNED and loan.state == LoanState.OPEN:
        fine = overdue_fine(loan.rule, loan.due, clock.today())
        if fine > ZERO:
            fee = charge_fee(loan, FeeKind.OVERDUE, fine)
    if charge > ZERO:
        fee = charge_fee(loan, kind, charge)
    loan.state, loan.closed_at = state, now
    CLOSE_LOAN.run(pk=loan.pk, state=state, closed_at=now)
    unlink_if_settled(loan)
    return fee


def renew(
    desk: Desk,
    loan: Loan,
    *,
    override: OverrideRequest | None = None,
) -> LoanResult:
    """Another loan period from today, unless someone is waiting, the renewals are used, or
    it would add no time (then it is refused, and not counted). Asked again the day it was
    renewed (a double click, a kiosk retry), it answers granted with the current due date and
    counts and audits nothing more."""
    if override is not None:
        desk.require_may_override()
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("item__record", "patron")
            .get(pk=loan.pk)
        )
        if loan.state != LoanState.OPEN or loan.patron is None:
            state = LoanState(loan.state).label
            refuse(Decision.refuse("loan_not_renewable", state=state), override)
        rule = loan.rule or _rule(loan.patron, loan.item, desk, override)
        today = clock.today()
        renewed_due = due_date(rule, loan.branch, today)
        if loan.renewed_on == today:
            return LoanResult(Decision.allow("already_renewed", due=loan.due), loan)
        if any(holds.waiting_now(h, today) for h in holds.queue_for(loan.item)):
            refuse(Decision.refuse("renewal_wanted_by_holds", due=loan.due), override)
        if renewed_due <= loan.due:
            renew_from = _renewal_adds_time_from(rule, loan.due, today)
            refusal = Decision.refuse(
                "renewal_would_not_extend", due=loan.due, renew_from=renew_from
            )
            refuse(refusal, override)
        blocks = _renewal_blocks(desk, loan, rule)
        refuse_unless_overridden(blocks, override)
        loan.due, loan.renewed_on = renewed_due, today
        loan.renewals_used += 1
        loan.save(update_fields=["due", "renewals_used", "renewed_on"])
        counts.count("renewal", loan.branch, loan.item.record.material_type, loan.patron_category)
        _lent(desk, "renew", loan, blocks, override)
    if blocks:
        decision = Decision.override("renewal_overridden", cause=blocks[0], due=loan.due)
        return LoanResult(decision, loan)
    return LoanResult(Decision.allow("renewal_granted", due=loan.due), loan)


def _renewal_blocks(desk: Desk, loan: Loan, rule: LoanRule) -> list[Decision]:
    """The renewal limit first (with what else can be offered), then the patron's blocks; the
    item limit does not apply, since a renewal borrows nothing new."""
    blocks = [b for b in patron_blocks(loan.patron, None) if b.code != "too_many_items"]
    if loan.renewals_used >= rule.renewals:
        limit = Decision.refuse(
            "renewal_limit",
            renewal_alternatives(loan.item, desk.branch),
            used=loan.renewals_used,
            limit=rule.renewals,
        )
        blocks.insert(0, limit)
    return blocks


def _renewal_adds_time_from(rule: LoanRule, due: date, today: date) -> date:
    """The first day from which a renewal surely moves the due date: a loan period from then
    ends after `due` (a closed day only ever moves a due date later)."""
    return max(today + timedelta(days=1), due - timedelta(days=rule.loan_days - 1))


def extend_due(desk: Desk, loan: Loan, new_due: date, override: OverrideRequest) -> Loan:
    """A clerk gives more time. Never less: an earlier (or the same) date is refused; nor past
    the dates libdesk deals in (a slip of the keyboard, and other patrons' wait estimates)."""
    desk.require_may_override()
    if new_due > DATE_MAX:
        raise CirculationError("new_due", _("choose a date before %s") % DATE_MAX)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if not loan.is_open:
            raise Refused(Decision.refuse("loan_ended", state=LoanState(loan.state).label))
        if new_due <= loan.due:
            why = _("shorten the loan") if new_due < loan.due else _("add no time")
            raise Refused(Decision.refuse("override_must_favour_patron", why=why))
        days = (new_due - loan.due).days
        loan.due = new_due
        loan.save(update_fields=["due"])
        record_override(desk, OverrideKind.EXTEND_DUE, override, loan, days=days)
    return loan


def mark_lost(desk: Desk, loan: Loan) -> Fee | None:
    """The patron reports the item lost: the loan closes, the rule's charge (if any) is made."""
    with transaction.atomic():
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("item", "rule")
            .get(pk=loan.pk)
        )
        if not loan.is_open:
            raise Refused(Decision.refuse("loan_ended", state=LoanState(loan.state).label))
        charge = loan.rule.lost_charge if loan.rule else ZERO
        fee = _close_loan(loan, LoanState.LOST, charge, FeeKind.LOST)
        item = Item.objects.select_for_update().get(pk=loan.item_id)
        _set_status(item, ItemStatus.LOST)
        _audit_loan(desk, "lost", loan)
    return fee


def claim_returned(desk: Desk, loan: Loan) -> Loan:
    """The patron says they returned it: no notices or fines while the library looks. Said
    again, the claim simply stands."""
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.state == LoanState.CLAIMED_RETURNED:
            return loan
        if loan.state != LoanState.OPEN:
            raise Refused(Decision.refuse("loan_ended", state=LoanState(loan.state).label))
        loan.state = LoanState.CLAIMED_RETURNED
        loan.save(update_fields=["state"])
        item = Item.objects.select_for_update().get(pk=loan.item_id)
        _set_status(item, ItemStatus.CLAIMED_RETURNED)
        _audit_loan(desk, "claimed_returned", loan)
    return loan


def return_damaged(desk: Desk, barcode: str, charge: Decimal, note: str) -> CheckinResult:
    """An item comes back damaged: its loan closes with a damage charge (if the library charges)
    and the copy goes out of circulation for repair. Only a copy still on loan can be charged
    for: once checked in, nothing links it to who had it."""
    if charge < ZERO:
        raise CirculationError("charge", _("a charge cannot be negative"))
    from libdesk.circulation.fees import within_money_bounds

    within_money_bounds(charge, "charge")
    if not note.strip():
        raise CirculationError("note", _("describe the damage"))
    with transaction.atomic():
        item = item_by_barcode(barcode, lock=True)
        loan = OPEN_LOAN.first(item=item.pk)
        fee = None
        if loan is not None:
            fee = _close_loan(loan, LoanState.RETURNED, charge, FeeKind.DAMAGE)
            counts.count("checkin", desk.branch, item.record.material_type, loan.patron_category)
        _set_status(item, ItemStatus.DAMAGED)
        audit.record(
            desk.actor,
            "circulation.damaged",
            object_type="item",
            object_id=item.pk,
            reason=f"loan {loan.pk}" if loan else "",
        )
    return CheckinResult(item, None, fee, loan.pk if loan else None)


def withdraw(desk: Desk, barcode: str) -> Item:
    """Take a copy out of the collection. Holds on it move to the title, keeping their places,
    and a hold it was set aside for goes back in line for another copy."""
    with transaction.atomic():
        item = item_by_barcode(barcode, lock=True)
        if Loan.objects.filter(item=item, closed_at__isnull=True).exists():
            raise Refused(Decision.refuse("withdraw_on_loan"))
        Hold.objects.filter(item=item, status__in=holds.QUEUED_HOLD).update(item=None)
        for hold in Hold.objects.select_for_update().filter(
            captured_item=item, status__in=CAPTURED_HOLD
        ):
            hold.status, hold.captured_item, hold.captured_at = "waiting", None, None
            hold.item, hold.ready_at, hold.shelf_expires, hold.pickup_code = None, None, None, ""
            hold.save()
        _set_status(item, ItemStatus.WITHDRAWN)
        audit.record(desk.actor, "catalog.item.withdraw", object_type="item", object_id=item.pk)
    return item
