"""Reads from the policy registry. Policies are public documents: no audit is needed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from libdesk.core import clock
from libdesk.core.models import Rule
from libdesk.policies.models import Clause, Policy, PolicyStatus


def policies_in_force() -> QuerySet[Policy]:
    return Policy.objects.filter(status=PolicyStatus.IN_FORCE).prefetch_related("translations")


def policy_for_page(number: str, version: int | None = None) -> Policy | None:
    """The version in force (or the given version) with everything its page shows."""
    query = Policy.objects.filter(number=number).select_related("supersedes")
    query = query.filter(version=version) if version else query.filter(status=PolicyStatus.IN_FORCE)
    return query.prefetch_related(
        "translations",
        "reviews",
        Prefetch("clauses", queryset=Clause.objects.prefetch_related("translations")),
        "superseded_by",
    ).first()


def policy_versions(number: str) -> QuerySet[Policy]:
    return Policy.objects.filter(number=number).order_by("-version")


def clause_in_force(clause_id: str) -> Clause | None:
    number, _, slug = clause_id.rpartition("/")
    return (
        Clause.objects.filter(
            policy__number=number, policy__status=PolicyStatus.IN_FORCE, slug=slug
        )
        .select_related("policy")
        .prefetch_related("translations")
        .first()
    )


TITLES_CACHE_SECONDS = 300


def clause_titles(clause_ids: Iterable[str], language: str) -> dict[str, str]:
    """Titles of the given clauses in `language`; an unregistered clause shows its id.

    Every Decision names its clauses, so the titles are cached for a few minutes: a new
    policy version's titles appear within TITLES_CACHE_SECONDS in every process (at once in
    the process that registered it)."""
    clause_ids = list(clause_ids)
    key = f"clause-titles:{cache.get('policy-generation', 0)}:{language}:{','.join(clause_ids)}"
    titles = cache.get(key)
    if titles is None:
        titles = _clause_titles(clause_ids, language)
        cache.set(key, titles, TITLES_CACHE_SECONDS)
    return titles


def forget_clause_titles() -> None:
    """Called when a policy version is registered."""
    try:
        cache.incr("policy-generation")
    except ValueError:
        cache.set("policy-generation", 1, None)


def _clause_titles(clause_ids: list[str], language: str) -> dict[str, str]:
    titles = {cid: cid for cid in clause_ids}
    numbers = {cid.rpartition("/")[0] for cid in clause_ids}
    clauses = (
        Clause.objects.filter(policy__number__in=numbers, policy__status=PolicyStatus.IN_FORCE)
        .select_related("policy")
        .prefetch_related("translations")
    )
    for clause in clauses:
        if clause.clause_id in titles:
            titles[clause.clause_id] = clause.in_language(language).title
    return titles


@dataclass(frozen=True)
class ReviewDue:
    number: str
    title: str
    next_review: date
    days_overdue: int  # negative: the review is still that many days ahead

    @property
    def days_ahead(self) -> int:
        return max(0, -self.days_overdue)

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "next_review": self.next_review.isoformat(),
            "days_overdue": self.days_overdue,
        }


def reviews_due(within_days: int = 90) -> list[ReviewDue]:
    """Policies in force whose next review has passed or falls within `within_days`."""
    today = clock.today()
    due = []
    for policy in policies_in_force().order_by("number"):
        next_review = policy.next_review
        if next_review is None:
            continue
        days_overdue = (today - next_review).days
        if days_overdue >= -within_days:
            due.append(ReviewDue(policy.number, policy.title, next_review, days_overdue))
    return sorted(due, key=lambda d: d.next_review)


def rule_models() -> list[type[Rule]]:
    """Every concrete rule table in the project, wherever its app defines it."""
    return [m for m in apps.get_models() if issubclass(m, Rule)]


def rules_by_clause() -> dict[str, list[Rule]]:
    """Rule rows grouped by the clause they implement, for the policy pages."""
    grouped: dict[str, list[Rule]] = {}
    for model in rule_models():
        for rule in model.objects.all():
            grouped.setdefault(rule.clause, []).append(rule)
    return grouped
