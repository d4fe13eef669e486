"""Template helpers for rendering decisions and clauses the same way on every page."""

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from libdesk.core.decisions import Decision
from libdesk.policies.selectors import clause_titles

register = template.Library()


def clause_url(clause_id: str) -> str:
    """The clause's place on its policy page: /policies/NUMBER/#slug."""
    number, _, slug = clause_id.rpartition("/")
    return f"{reverse('policies:detail', args=[number])}#{slug}"


@register.simple_tag
def decision_clauses(decision: Decision) -> list[dict]:
    """Clause id, title in the page's language, and link, for each clause behind a decision."""
    titles = clause_titles(decision.clauses, get_language())
    return [{"id": cid, "title": titles[cid], "url": clause_url(cid)} for cid in decision.clauses]


@register.filter
def role_label(role: str) -> str:
    """A staff role code as the person reading the page would say it."""
    from libdesk.access.table import Role

    return str(Role(role).label) if role in Role.values else role


@register.filter
def in_language(thing, language: str) -> str:
    """A bilingual object's name in the page's language (its `title(language)`)."""
    return thing.title(language or "en")


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, key)
