"""Policy reads for any caller: the library's policies are public documents."""

from datetime import date

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from libdesk.api.schemas import InputErrorOut, NotFoundOut
from libdesk.core.bounds import Code, Days
from libdesk.core.decisions import ask_why_url
from libdesk.policies import selectors
from libdesk.policies.models import Policy

router = Router(tags=["policies"])


class ClauseOut(Schema):
    id: str
    title: str
    text: str
    why: str
    ask_why_url: str


class PolicySummaryOut(Schema):
    number: str
    version: int
    title: str
    section: str
    status: str
    adopted_on: date | None
    next_review: date | None


class PolicyOut(PolicySummaryOut):
    motion: str
    supersedes: str | None
    last_reviewed_on: date | None
    review_years: int
    language: str
    official_text: bool
    text: str
    clauses: list[ClauseOut]


class ReviewDueOut(Schema):
    number: str
    title: str
    next_review: date
    days_overdue: int


def _summary(policy: Policy, language: str) -> dict:
    translation = policy.translation(language)
    return {
        "number": policy.number,
        "version": policy.version,
        "title": translation.title if translation else policy.title,
        "section": policy.section,
        "status": policy.status,
        "adopted_on": policy.adopted_on,
        "next_review": policy.next_review,
    }


@router.get("", response=list[PolicySummaryOut], auth=None)
def list_policies(request: HttpRequest) -> list[dict]:
    """Policies in force, titles in the caller's language where a translation exists."""
    language = get_language()
    return [_summary(p, language) for p in selectors.policies_in_force().order_by("number")]


@router.get("/due", response={200: list[ReviewDueOut], 422: InputErrorOut}, auth=None)
def reviews_due(request: HttpRequest, within: Days = 90) -> list[dict]:
    """Policies whose next review has passed, or falls within `within` days."""
    return [d.as_json() for d in selectors.reviews_due(within)]


@router.get("/{number}", response={200: PolicyOut, 404: NotFoundOut, 422: InputErrorOut}, auth=None)
def get_policy(request: HttpRequest, number: Code) -> dict:
    """One policy in force with its clauses and the reasons behind them."""
    policy = selectors.policy_for_page(number)
    if policy is None:
        raise Http404
    language = get_language()
    translation = policy.translation(language)
    supersedes = policy.supersedes.number if policy.supersedes else policy.supersedes_number
    clauses = []
    for clause in policy.clauses.all():
        text = clause.in_language(language)
        clauses.append(
            {
                "id": clause.clause_id,
                "title": text.title,
                "text": text.text,
                "why": text.why,
                "ask_why_url": ask_why_url(clause.clause_id),
            }
        )
    return {
        **_summary(policy, language),
        "motion": policy.motion,
        "supersedes": supersedes or None,
        "last_reviewed_on": policy.last_reviewed_on,
        "review_years": policy.review_years,
        "language": language if translation else "en",
        "official_text": translation.official if translation else True,
        "text": translation.text if translation else policy.text,
        "clauses": clauses,
    }
