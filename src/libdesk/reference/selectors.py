"""Reads at the reference desk. The queue shows channel, topic and age only; a question's text
and contact details open only for the librarian who claimed it and those it was shared with,
and every such look is audited. Figures for the board name nobody."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from libdesk.access.purposes import Access
from libdesk.access.table import (
    ROLE_NOT_PERMITTED,
    AccessDenied,
    Context,
    require,
    role_may_ever,
)
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.errors import NotFound
from libdesk.reference.models import (
    EFFORT_MAX,
    EFFORT_MIN,
    Channel,
    ConsumerSource,
    Question,
    QuestionShare,
    ShareKind,
    Status,
    Topic,
)
from libdesk.reference.reasons import QUESTION_DATA

OBJECT = "reference_question"


def target_hours(channel: str) -> int:
    """The target time to a first response on this channel (LIBDESK_REFERENCE_TARGET_HOURS_*)."""
    return settings.LIBDESK[f"REFERENCE_TARGET_HOURS_{channel.upper()}"]


def is_late(question: Question, now: datetime | None = None) -> bool:
    """Past its channel's target with no response yet (or answered after it)."""
    due = question.asked_at + timedelta(hours=target_hours(question.channel))
    responded = question.first_response_at
    return (responded or now or clock.now()) > due


@dataclass(frozen=True)
class QueueLine:
    """A question as the queue shows it: never its text, its contact or who asked."""

    id: int
    channel: str
    topic: str
    status: str
    asked_at: datetime
    late: bool
    mine: bool  # claimed by the reader (False: waiting, or shared with them)


def _line(question: Question, staff: StaffUser, now: datetime) -> QueueLine:
    return QueueLine(
        question.pk,
        question.channel,
        question.topic,
        question.status,
        question.asked_at,
        is_late(question, now),
        question.claimed_by_id == staff.pk,
    )


def _lines(questions: QuerySet[Question], staff: StaffUser) -> list[QueueLine]:
    now = clock.now()
    fields = ("pk", "channel", "topic", "status", "asked_at", "first_response_at", "claimed_by")
    return [_line(q, staff, now) for q in questions.only(*fields)]


def queue(staff: StaffUser) -> list[QueueLine]:
    """The questions nobody has claimed yet, oldest first (the order they are claimed in)."""
    require(staff.role, "reference_queue", "read", Context.NONE)
    return _lines(Question.objects.filter(status=Status.OPEN).order_by("asked_at", "pk"), staff)


def _consulted(staff: StaffUser) -> Exists:
    return Exists(
        QuestionShare.objects.filter(
            question=OuterRef("pk"), shared_with=staff, kind=ShareKind.CONSULT
        )
    )


def my_questions(staff: StaffUser) -> list[QueueLine]:
    """The questions this librarian claimed or was consulted on, not yet closed."""
    require(staff.role, "reference_queue", "read", Context.NONE)
    mine = Question.objects.filter(Q(claimed_by=staff) | _consulted(staff)).exclude(
        status=Status.CLOSED
    )
    return _lines(mine.order_by("asked_at", "pk"), staff)


def oldest_waiting_id() -> int | None:
    return (
        Question.objects.filter(status=Status.OPEN)
        .order_by("asked_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def context_for(staff: StaffUser, question: Question) -> Context:
    """CLAIMED for the librarian answering it, SHARED for one consulted on it, else NONE."""
    if question.claimed_by_id == staff.pk:
        return Context.CLAIMED
    consulted = QuestionShare.objects.filter(
        question=question, shared_with=staff, kind=ShareKind.CONSULT
    )
    return Context.SHARED if consulted.exists() else Context.NONE


@dataclass(frozen=True)
class Opened:
    question: Question
    context: Context


def question_for(
    staff: StaffUser, workstation, question_id: int, *, audit_read: bool = True
) -> Opened:
    """Fetch and authorise: the question, if this member of staff may read it. A role that
    may never read one is refused (403); anyone else who may not read this one finds
    nothing (404), whether or not it exists. Each read is audited."""
    if not role_may_ever(staff.role, OBJECT, "read"):
        raise AccessDenied(
            f"{staff.role} may not read reference questions", code=ROLE_NOT_PERMITTED
        )
    question = (
        Question.objects.filter(pk=question_id, anonymised=False)
        .prefetch_related("answers__sources", "shares")
        .first()
    )
    context = context_for(staff, question) if question is not None else Context.NONE
    if context == Context.NONE:
        raise NotFound
    require(staff.role, OBJECT, "read", context)
    if audit_read:
        audit.record(
            Actor.staff(staff, workstation),
            "reference.read",
            object_type=OBJECT,
            object_id=question.pk,
            patron_id=question.patron_id,
            data_kind=QUESTION_DATA.code,
            reason="claimed" if context == Context.CLAIMED else "shared",
        )
    return Opened(question, context)


def question_for_asker(key: str) -> Question | None:
    """The question the private link opens (None once its text is gone): the asker's own."""
    if not key:
        return None
    return (
        Question.objects.filter(access_key_hash=key_hash(key), anonymised=False)
        .prefetch_related("answers__sources")
        .first()
    )


def key_hash(key: str) -> str:
    """The stored form of a private link's key (the key itself is never kept)."""
    return hashlib.sha256(key.encode()).hexdigest()


def questions_of(access: Access) -> QuerySet[Question]:
    """The questions a patron linked to their account, newest first (their own sign-in)."""
    require(access.role, OBJECT, "read", access.context)
    return (
        Question.objects.filter(patron_id=access.patron_id, anonymised=False)
        .prefetch_related("answers__sources")
        .order_by("-asked_at", "-pk")
    )


def consumer_sources(topic: str = "") -> QuerySet[ConsumerSource]:
    """Active sources of consumer information, for a topic (all of them without one)."""
    sources = ConsumerSource.objects.filter(active=True)
    return sources.filter(topic=topic) if topic else sources


def _percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile, in hours rounded to a tenth (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1], 1)


def _times(hours: list[float]) -> dict:
    return {
        "count": len(hours),
        "median_hours": _percentile(hours, 0.5),
        "p90_hours": _percentile(hours, 0.9),
    }


def figures(staff: StaffUser, since: date | None = None, until: date | None = None) -> dict:
    """The board's figures for questions asked between two dates: counts per channel and
    topic, times to a first response and to an answer, the effort they took, how many were
    late. Nothing names an asker, a patron or a member of staff."""
    require(staff.role, "reference_figures", "read", Context.NONE)
    zone = clock.library_zone()
    asked = Question.objects.all()
    if since:
        asked = asked.filter(asked_at__gte=datetime.combine(since, time.min, zone))
    if until:
        asked = asked.filter(asked_at__lte=datetime.combine(until, time.max, zone))
    rows = list(
        asked.values_list(
            "channel", "topic", "asked_at", "first_response_at", "answered_at", "effort"
        )
    )
    now = clock.now()
    channels, topics, efforts = Counter(), Counter(), Counter()
    to_first, to_answer, late = [], [], 0
    for channel, topic, at, first, answered, effort in rows:
        channels[channel] += 1
        topics[topic] += 1
        if effort:
            efforts[effort] += 1
        if first:
            to_first.append((first - at).total_seconds() / 3600)
        if answered:
            to_answer.append((answered - at).total_seconds() / 3600)
        if (first or now) > at + timedelta(hours=target_hours(channel)):
            late += 1
    return {
        "questions": len(rows),
        "by_channel": {c: channels[c] for c in Channel.values},
        "by_topic": {t: topics[t] for t in Topic.values},
        "to_first_response": _times(to_first),
        "to_answer": _times(to_answer),
        "effort": {str(e): efforts[e] for e in range(EFFORT_MIN, EFFORT_MAX + 1)},
        "late": late,
    }
