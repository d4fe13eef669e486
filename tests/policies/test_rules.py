"""Rules are data, and each names the clause it carries out."""

import pytest
from django.db import IntegrityError, transaction

from libdesk.core.models import RateLimitRule
from libdesk.policies.selectors import clause_in_force, rule_models

pytestmark = pytest.mark.django_db


def rules_without_a_clause_in_force() -> list[str]:
    return [
        f"{model.__name__} {rule.pk}: {rule.clause!r}"
        for model in rule_models()
        for rule in model.objects.all()
        if clause_in_force(rule.clause) is None
    ]


def test_there_are_rule_tables_to_check():
    assert RateLimitRule in rule_models()


def test_every_rule_row_names_a_clause_in_force(demo_library):
    assert RateLimitRule.objects.exists()
    assert rules_without_a_clause_in_force() == []


def test_a_rule_citing_no_real_clause_is_caught(demo_library):
    RateLimitRule.objects.create(
        form="made-up", attempts=3, window_seconds=60, clause="OP-02-01-01/made-up"
    )
    assert rules_without_a_clause_in_force() == ["RateLimitRule 4: 'OP-02-01-01/made-up'"] or (
        len(rules_without_a_clause_in_force()) == 1
    )


def test_the_database_refuses_a_rule_with_no_clause(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        RateLimitRule.objects.create(form="made-up", attempts=3, window_seconds=60, clause="")
