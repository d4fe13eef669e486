"""Schemas shared by several routers, above all the Decision every refusal carries."""

from typing import Literal

from ninja import Schema


class ClauseRef(Schema):
    id: str
    title: str


class AlternativeOut(Schema, extra="allow"):
    kind: Literal[
        "other_copy", "other_branch", "other_format", "hold", "ill", "purchase", "referral"
    ]
    label: str


class DecisionOut(Schema):
    outcome: Literal["allowed", "refused", "overridden"]
    code: str
    clauses: list[ClauseRef]
    reason: str
    short_reason: str
    staff_reason: str
    alternatives: list[AlternativeOut]
    ask_why_url: str


class RefusalOut(Schema):
    decision: DecisionOut


class NotFoundOut(Schema):
    detail: str


class DetailOut(Schema):
    """A plain answer: "Not found" (also for what the caller may not see), or a message."""

    detail: str


class ForbiddenOut(Schema):
    """403: the caller's role may never do this (`role_not_permitted`), or not in this
    context (`context_not_permitted`)."""

    detail: str
    code: Literal["role_not_permitted", "context_not_permitted"]
