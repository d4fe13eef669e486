"""Reads of comments. The queue shows a comment's service, rating, theme and age, never who
signed it; a signed comment's page names its patron, and each such look is audited. The
policy review list and the board's figures name nobody."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet

from libdesk.access.purposes import Access
from libdesk.access.table import Context, allowed, require
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.errors import NotFound
from libdesk.feedback.models import RATING_MAX, RATING_MIN, Comment, Service, Status, Theme
from libdesk.feedback.reasons import SIGNED_COMMENT_DATA
from libdesk.patrons.models import Patron
from libdesk.policies.models import Clause, PolicyStatus

OBJECT = "feedback_comment"


@dataclass(frozen=True)
class QueueLine:
    """A comment as the queue shows it: never who signed it."""

    id: int
    service: str
    received_at: datetime
    rating: int | None
    theme: str
    status: str
    signed: bool
    excerpt: str


EXCERPT = 120


def _lines(comments: QuerySet[Comment]) -> list[QueueLine]:
    fields = ("pk", "service", "received_at", "rating", "theme", "status", "patron_id", "text")
    return [
        QueueLine(
            c.pk,
            c.service,
            c.received_at,
            c.rating,
            c.theme,
            c.status,
            c.patron_id is not None,
            c.text[:EXCERPT],
        )
        for c in comments.only(*fields)
    ]


@dataclass(frozen=True)
class Queue:
    new: list[QueueLine]
    open: list[QueueLine]


def queue(staff: StaffUser) -> Queue:
    """The new comments, oldest first, then those being dealt with (not yet closed)."""
    require(staff.role, OBJECT, "read", Context.NONE)
    waiting = Comment.objects.filter(anonymised=False).order_by("received_at", "pk")
    return Queue(
        _lines(waiting.filter(status=Status.NEW)), _lines(waiting.filter(status=Status.OPEN))
    )


@dataclass(frozen=True)
class Opened:
    comment: Comment
    signer_name: str  # "" for an anonymous comment (or a patron no longer there)


def comment_for(staff: StaffUser, workstation, comment_id: int) -> Opened:
    """Fetch and authorise: the comment with its responses and its clause, for staff who
    triage comments (403 for a role that never does, 404 for none). Reading a signed
    comment reads its link to the patron, so it is audited (the patron sees it in their
    access log); an anonymous comment names nobody, and reading it is not."""
    require(staff.role, OBJECT, "read", Context.NONE)
    comment = (
        Comment.objects.filter(pk=comment_id)
        .select_related("clause__policy")
        .prefetch_related("responses")
        .first()
    )
    if comment is None:
        raise NotFound
    name = ""
    if comment.patron_id is not None:
        audit.record(
            Actor.staff(staff, workstation),
            "feedback.read",
            object_type=OBJECT,  # which comment is not said (see leave_comment)
            patron_id=comment.patron_id,
            data_kind=SIGNED_COMMENT_DATA.code,
        )
        name = (
            Patron.objects.filter(pk=comment.patron_id).values_list("name", flat=True).first() or ""
        )
    return Opened(comment, name)


def comments_of(access: Access) -> QuerySet[Comment]:
    """The comments a patron signed, newest first, with the library's responses (their own
    sign-in)."""
    require(access.role, OBJECT, "read", access.context)
    return (
        Comment.objects.filter(patron_id=access.patron_id)
        .prefetch_related("responses")
        .order_by("-received_at", "-pk")
    )


def clause_choices() -> list[tuple[str, str]]:
    """The clauses a comment may be tied to: those of the policies in force, in order."""
    clauses = (
        Clause.objects.filter(policy__status=PolicyStatus.IN_FORCE)
        .select_related("policy")
        .prefetch_related("translations")
        .order_by("policy__number", "position")
    )
    return [
        (clause.clause_id, f"{clause.policy.number} · {clause.in_language().title}")
        for clause in clauses
    ]


@dataclass(frozen=True)
class TiedComment:
    """A comment as a policy's review sees it: what was said, about which clause; no one."""

    received_at: datetime
    service: str
    rating: int | None
    clause_title: str
    text: str  # "" once the retention period removed it


@dataclass(frozen=True)
class PolicyComments:
    count: int
    comments: list[TiedComment]


def comments_by_policy(
    numbers: Iterable[str], reader: StaffUser | None = None
) -> dict[str, PolicyComments]:
    """For each policy number, the comments tied to any of its clauses (any version), oldest
    first, with their text and never who wrote them. With a `reader`, only for a role that
    reads comments (others get nothing: the review list is shown to every member of staff);
    the command line (`libdesk policies due`) is the server's operator and passes none."""
    numbers = list(numbers)
    if reader is not None and not allowed(reader.role, OBJECT, "read", Context.NONE):
        return {}
    tied = (
        Comment.objects.filter(clause__policy__number__in=numbers)
        .select_related("clause__policy")
        .prefetch_related("clause__translations")
        .order_by("received_at", "pk")
    )
    found: dict[str, list[TiedComment]] = {number: [] for number in numbers}
    for comment in tied:
        found[comment.clause.policy.number].append(
            TiedComment(
                comment.received_at,
                comment.service,
                comment.rating,
                comment.clause.in_language().title,
                comment.text,
            )
        )
    return {number: PolicyComments(len(lines), lines) for number, lines in found.items()}


def _percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile, in hours rounded to a tenth (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1], 1)


def figures(staff: StaffUser, since: date | None = None, until: date | None = None) -> dict:
    """The board's figures for comments received between two dates (in the library's zone):
    counts by month, by service and by theme, ratings (average and distribution), and the
    time to a first response (median and 90th percentile, in hours). Nothing names anyone."""
    require(staff.role, "feedback_figures", "read", Context.NONE)
    zone = clock.library_zone()
    received = Comment.objects.all()
    if since:
        received = received.filter(received_at__gte=datetime.combine(since, time.min, zone))
    if until:
        received = received.filter(received_at__lte=datetime.combine(until, time.max, zone))
    rows = list(
        received.values_list("received_at", "service", "theme", "rating", "first_response_at")
    )
    months, services, themes, ratings = Counter(), Counter(), Counter(), Counter()
    to_response = []
    for at, service, theme, rating, first in rows:
        months[at.astimezone(zone).strftime("%Y-%m")] += 1
        services[service] += 1
        themes[theme or "unfiled"] += 1
        if rating:
            ratings[rating] += 1
        if first:
            to_response.append((first - at).total_seconds() / 3600)
    rated = sum(ratings.values())
    total = sum(r * n for r, n in ratings.items())
    return {
        "comments": len(rows),
        "by_month": dict(sorted(months.items())),
        "by_service": {s: services[s] for s in Service.values},
        "by_theme": {t: themes[t] for t in [*Theme.values, "unfiled"]},
        "ratings": {
            "count": rated,
            "average": round(total / rated, 2) if rated else None,
            "distribution": {str(r): ratings[r] for r in range(RATING_MIN, RATING_MAX + 1)},
        },
        "to_first_response": {
            "count": len(to_response),
            "median_hours": _percentile(to_response, 0.5),
            "p90_hours": _percentile(to_response, 0.9),
        },
    }
