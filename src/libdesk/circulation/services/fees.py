"""Fees, where a library charges them: overdue fines (capped), lost and damage charges,
payments with receipts, and waivers (an override in the patron's favour). The demo library is
fine-free, so none of this ever runs there unless staff set fines in the rules."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import MAX_AMOUNT, ZERO, Fee, Loan, OverrideKind, Payment
from libdesk.circulation.services.overrides import record_override
from libdesk.core import clock, housekeeping
from libdesk.core.decisions import Decision, Refused
from libdesk.core.statements import Select, Update
from libdesk.patrons.models import Patron


def charge_fee(loan: Loan, kind: str, amount: Decimal) -> Fee:
    """Called inside the loan's transaction; the loan keeps its patron while this is open."""
    now = clock.now()
    return Fee.objects.create(
        patron_id=loan.patron_id,
        loan=loan,
        kind=kind,
        amount=amount,
        balance=amount,
        created_at=now,
    )


# Run at every check-in: compiled once (core.statements).
OPEN_FEE_ON = Select(
    lambda loan: Fee.objects.filter(loan_id=loan, closed_at__isnull=True).values_list("pk")[:1],
    loan=int,
)
UNLINK_FEES = Update(lambda loan: (Fee.objects.filter(loan_id=loan), {"loan": None}), loan=int)
UNLINK_LOAN = Update(lambda loan: (Loan.objects.filter(pk=loan), {"patron": None}), loan=int)


def unlink_if_settled(loan: Loan) -> None:
    """A closed loan with no open fee loses its patron, and closed fees lose the loan."""
    if loan.closed_at is None:
        return
    if OPEN_FEE_ON.first(loan=loan.pk):
        return
    UNLINK_FEES.run(loan=loan.pk)
    UNLINK_LOAN.run(loan=loan.pk)
    loan.patron = None
    housekeeping.loan_unlinked(loan.pk)


def parse_amount(value: object, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise CirculationError(field, _("give an amount such as 2.50")) from exc
    if amount <= ZERO:
        raise CirculationError(field, _("the amount must be more than zero"))
    return within_money_bounds(amount, field)


def within_money_bounds(amount: Decimal, field: str) -> Decimal:
    """An amount a fee's column can hold; a charge of a trillion is a typing slip, and stored
    it would break every later read of the patron's fees."""
    if amount > MAX_AMOUNT:
        raise CirculationError(field, _("the amount can be at most %s") % MAX_AMOUNT)
    return amount


def pay(desk: Desk, fee: Fee, amount: Decimal, method: str = "cash") -> Payment:
    """Take a payment at the desk and issue a receipt number."""
    if desk.staff is None:
        raise CirculationError("amount", _("payments are taken at a staff desk"))
    if method not in ("cash", "card"):
        raise CirculationError("method", _("choose cash or card"))
    with transaction.atomic():
        fee = Fee.objects.select_for_update().get(pk=fee.pk)
        _refuse_if_settled(fee)
        if amount > fee.balance:
            raise CirculationError("amount", _("more than the %s owed") % fee.balance)
        payment = Payment.objects.create(
            fee=fee,
            amount=amount,
            method=method,
            receipt=_receipt_number(),
            staff=desk.staff,
            paid_at=clock.now(),
        )
        _reduce(fee, amount)
        audit.record(
            desk.actor,
            "circulation.fee.pay",
            object_type="fee",
            object_id=fee.pk,
            reason=payment.receipt,
        )
    return payment


def waive(desk: Desk, fee: Fee, amount: Decimal, override: OverrideRequest) -> Fee:
    """Forgive part or all of a fee. A waiver can only lower what is owed."""
    desk.require_may_override()
    with transaction.atomic():
        fee = Fee.objects.select_for_update().get(pk=fee.pk)
        _refuse_if_settled(fee)
        if amount > fee.balance:
            raise CirculationError("amount", _("at most the %s still owed") % fee.balance)
        loan = fee.loan
        _reduce(fee, amount)
        record_override(desk, OverrideKind.WAIVE_FEE, override, loan, amount=amount)
    return fee


def _refuse_if_settled(fee: Fee) -> None:
    """Read under the row lock: a second click after the fee closed takes nothing more."""
    if fee.closed_at is not None:
        raise Refused(Decision.refuse("fee_settled"))


def _reduce(fee: Fee, amount: Decimal) -> None:
    fee.balance -= amount
    if fee.balance == ZERO:
        fee.closed_at = clock.now()
    fee.save(update_fields=["balance", "closed_at"])
    if fee.closed_at is not None and fee.loan_id is not None:
        unlink_if_settled(Loan.objects.get(pk=fee.loan_id))


def _receipt_number() -> str:
    return f"R{clock.today():%Y%m%d}-{secrets.token_hex(3).upper()}"


def cancel_balance(desk: Desk, fee: Fee, why: str) -> None:
    """Cancel what is still owed on a fee whose cause went away (a lost item found). Called
    inside the caller's transaction."""
    fee.balance = ZERO
    fee.closed_at = clock.now()
    fee.save(update_fields=["balance", "closed_at"])
    audit.record(
        desk.actor, "circulation.fee.cancel", object_type="fee", object_id=fee.pk, reason=why
    )
    if fee.loan_id is not None:
        unlink_if_settled(Loan.objects.get(pk=fee.loan_id))


def pay_at_kiosk(
    desk: Desk,
    patron_id: int,
    amount: Decimal,
    *,
    method: str,
    transaction_id: str,
    fee_id: int | None = None,
) -> list[Payment]:
    """A kiosk's card or cash reader took `amount` from the patron (SIP2 37): pay that fee, or
    the patron's open fees oldest first. Sent again with the same transaction id (a retry after
    a lost answer or a restart), it is applied once: the first payments are answered."""
    if method not in ("cash", "card"):
        raise CirculationError("method", _("choose cash or card"))
    if not amount.is_finite() or amount <= ZERO:
        raise CirculationError("amount", _("the amount must be more than zero"))
    within_money_bounds(amount, "amount")
    terminal = desk.actor.workstation
    with transaction.atomic():
        # one payment at a time per patron: a resent 37 waits, then finds the first one
        list(Patron.objects.select_for_update().filter(pk=patron_id).values_list("pk"))
        if transaction_id:
            done = list(
                Payment.objects.filter(
                    terminal=terminal, transaction_id=transaction_id
                ).select_related("fee")
            )
            if done:
                return _same_payment(done, patron_id, amount)
        fees = Fee.objects.select_for_update().filter(patron_id=patron_id, closed_at__isnull=True)
        if fee_id is not None:
            fees = fees.filter(pk=fee_id)
        fees = list(fees.order_by("created_at", "pk"))
        owed = sum((fee.balance for fee in fees), ZERO)
        if not fees:
            raise CirculationError("fee_id", _("nothing is owed on this card"))
        if amount > owed:
            raise CirculationError("amount", _("more than the %s owed") % owed)
        return _spread(desk, fees, amount, method, transaction_id)


def _same_payment(done: list[Payment], patron_id: int, amount: Decimal) -> list[Payment]:
    """A resent payment is answered with the first one; a transaction id already used for
    another patron or another amount is refused (the money must not vanish into someone
    else's receipt)."""
    same_patron = all(payment.fee.patron_id == patron_id for payment in done)
    if not same_patron or sum((payment.amount for payment in done), ZERO) != amount:
        raise CirculationError(
            "transaction_id", _("this transaction id was already used for another payment")
        )
    return done


def _spread(desk: Desk, fees: list[Fee], amount: Decimal, method: str, transaction_id: str):
    receipt, payments, left = _receipt_number(), [], amount
    for fee in fees:
        part = min(left, fee.balance)
        if part <= ZERO:
            break
        payments.append(
            Payment.objects.create(
                fee=fee,
                amount=part,
                method=method,
                receipt=receipt if not payments else _receipt_number(),
                terminal=desk.actor.workstation,
                transaction_id=transaction_id,
                paid_at=clock.now(),
            )
        )
        _reduce(fee, part)
        audit.record(
            desk.actor,
            "circulation.fee.pay",
            object_type="fee",
            object_id=fee.pk,
            reason=payments[-1].receipt,
        )
        left -= part
    return payments
