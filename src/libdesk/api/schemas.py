"""Schemas shared by several routers, above all the Decision every refusal carries, and the
shapes of the error answers (404, 422) every router documents. Input fields take their types
from libdesk.core.bounds, so every parameter has a declared range."""

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


class FieldErrorOut(Schema, extra="allow"):
    loc: list[str | int]
    msg: str
    type: str


class InputErrorOut(Schema):
    """422: what was wrong, and where (`loc`: "query", "path", "body" or "header", then the
    field)."""

    detail: list[FieldErrorOut]
