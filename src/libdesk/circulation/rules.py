"""Finding the rule that applies, and what it says about dates and money."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libdesk.audit import services as audit
from libdesk.catalog.models import MaterialType
from libdesk.circulation.desk import CirculationError
from libdesk.circulation.models import ZERO, DeskTerms, LoanRule
from libdesk.core.decisions import Decision
from libdesk.core.statements import Select
from libdesk.library.models import Branch
from libdesk.library.selectors import next_open_day
from libdesk.patrons.models import Category

# Loan rules set limits (items, holds, renewals) so that there is enough for everyone.
LOAN_RULE_CLAUSE = "OP-02-01-01/equal-consideration"
TERMS_CLAUSE = "OP-02-01-01/equal-respect"


CANDIDATE_RULES = Select(
    lambda category, material_type: LoanRule.objects.filter(
        Q(patron_category="") | Q(patron_category=category),
        Q(material_type="") | Q(material_type=material_type),
    ).order_by(),
    category=str,
    material_type=str,
)


DESK_TERMS = Select(lambda: DeskTerms.objects.order_by("pk")[:1])


class NoLoanRule(Exception):
    """No rule covers this category and material: the library must add one before lending."""

    def __init__(self, category: str, material_type: str) -> None:
        super().__init__(f"no loan rule covers {category or 'any'} patrons and {material_type}")
        self.category, self.material_type = category, material_type

    def decision(self) -> Decision:
        """The refusal a patron and the desk see, in words (never the raw codes)."""
        return Decision.refuse(
            "no_loan_rule",
            category=_label(Category, self.category),
            material=_label(MaterialType, self.material_type),
        )


def _label(choices, value: str):
    return choices(value).label if value in choices.values else value


def rule_for(category: str, material_type: str, branch: Branch | None) -> LoanRule:
    """The most specific rule: a branch match outweighs a material match, which outweighs a
    category match; blank fields and a null branch match anything."""
    best, best_score = None, -1
    for rule in CANDIDATE_RULES.all(category=category, material_type=material_type):
        if rule.branch_id and (branch is None or rule.branch_id != branch.pk):
            continue
        score = 4 * bool(rule.branch_id) + 2 * bool(rule.material_type) + bool(rule.patron_category)
        if score > best_score:
            best, best_score = rule, score
    if best is None:
        raise NoLoanRule(category, material_type)
    return best


def save_loan_rule(desk, rule: LoanRule) -> LoanRule:
    """Store a new or edited rule (already validated field by field by its form): one rule per
    category, material and branch, so "the most specific rule" is never ambiguous."""
    try:  # every field within its bounds, whatever door the rule came through
        rule.full_clean(exclude=["clause"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise CirculationError(field, " ".join(messages)) from exc
    clash = LoanRule.objects.filter(
        patron_category=rule.patron_category,
        material_type=rule.material_type,
        branch=rule.branch_id,
    ).exclude(pk=rule.pk)
    if clash.exists():
        raise CirculationError(
            "__all__", _("A rule for this category, material and branch exists.")
        )
    rule.clause = rule.clause or LOAN_RULE_CLAUSE
    with transaction.atomic():
        rule.save()
        audit.record(
            desk.actor, "circulation.rule.save", object_type="loan_rule", object_id=rule.pk
        )
    return rule


def terms() -> DeskTerms:
    """The library-wide terms; the defaults apply until staff save their own."""
    found = DESK_TERMS.first()
    return found if found is not None else DeskTerms(clause=TERMS_CLAUSE)


def due_date(rule: LoanRule, branch: Branch, start: date) -> date:
    """The loan period from `start`, moved to the lending branch's next open day."""
    return next_open_day(branch, start + timedelta(days=rule.loan_days))


def overdue_fine(rule: LoanRule | None, due: date, returned: date) -> Decimal:
    """Days late times the daily fine, never above the cap (zero in a fine-free library)."""
    if rule is None or rule.fine_per_day <= ZERO or returned <= due:
        return ZERO
    fine = rule.fine_per_day * (returned - due).days
    return min(fine, rule.fine_cap) if rule.fine_cap > ZERO else fine
