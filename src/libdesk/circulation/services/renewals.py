"""Renewals and a clerk's extension of a due date: another loan period from today, unless
someone is waiting for the copy, the renewals are used up, or it would add no time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.circulation import counts
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import (
    Loan,
    LoanRule,
    LoanState,
    OverrideKind,
)
from libdesk.circulation.rules import due_date
from libdesk.circulation.services.alternatives import renewal_alternatives
from libdesk.circulation.services.lending import LoanResult, lent, loan_rule_for, patron_blocks
from libdesk.circulation.services.overrides import record_override, refuse, refuse_unless_overridden
from libdesk.circulation.services.queue import queue_for, waiting_now
from libdesk.core import clock
from libdesk.core.bounds import DATE_MAX
from libdesk.core.decisions import Decision, Refused


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
        rule = loan.rule or loan_rule_for(loan.patron, loan.item, desk, override)
        today = clock.today()
        renewed_due = due_date(rule, loan.branch, today)
        if loan.renewed_on == today:
            return LoanResult(Decision.allow("already_renewed", due=loan.due), loan)
        if any(waiting_now(h, today) for h in queue_for(loan.item)):
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
        lent(desk, "renew", loan, blocks, override)
    if blocks:
        decision = Decision.override("renewal_overridden", cause=blocks[0], due=loan.due)
        return LoanResult(decision, loan)
    return LoanResult(Decision.allow("renewal_granted", due=loan.due), loan)


@dataclass(frozen=True)
class RenewalOutcome:
    """One loan of a batch renewal and its answer, granted or refused."""

    loan: Loan
    decision: Decision


def renew_each(desk: Desk, loans: list[Loan]) -> list[RenewalOutcome]:
    """Renew several loans at once (the desk's "renew selected" and "renew all"): each in its
    own transaction, so one refused (someone waiting, no renewals left) leaves the others
    renewed, and each answers with its own decision, in the order given."""
    outcomes = []
    for loan in loans:
        try:
            result = renew(desk, loan)
        except Refused as refused:
            outcomes.append(RenewalOutcome(loan, refused.decision))
        else:
            outcomes.append(RenewalOutcome(result.loan, result.decision))
    return outcomes


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
