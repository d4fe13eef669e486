"""Decisions: the one value every service returns or raises when it grants or refuses.

A decision carries a stable code, the policy clauses behind it, a plain-language reason for the
patron and a fuller one for staff, and the alternatives on offer. Each door renders the same
decision: the web as an HTML partial, the API as JSON (409 when refused), the kiosk as a screen
message. Reasons are lazy translations, rendered in the caller's language, dates in it too
("Due back on 21 December 2026"; libdesk.core.dates).

Codes are of two kinds. A refusal must name the clause behind it: that is what lets anyone ask
why. A grant explains nothing to refuse, so it may name none (a plain checkout), or the clause
that shaped it (a place in the holds queue, an override in the patron's favour). Each code is
registered as one kind and can only be used as that kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from libdesk.core.dates import long_date

SHORT_REASON_LIMIT = 80


class Outcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    OVERRIDDEN = "overridden"


class AlternativeKind(StrEnum):
    OTHER_COPY = "other_copy"
    OTHER_BRANCH = "other_branch"
    OTHER_FORMAT = "other_format"
    HOLD = "hold"
    ILL = "ill"
    PURCHASE = "purchase"
    REFERRAL = "referral"


@dataclass(frozen=True)
class Reason:
    """What a decision code means: the clauses behind it and how to say it.

    Texts may hold `{name}` placeholders filled from the decision's params when rendered; in a
    decision about another one (an override of a refusal, or an override refused), `{refusal}`
    is that refusal's own text of the same kind and `{refusal_short}` its short reason.
    """

    code: str
    clauses: tuple[str, ...]
    reason: str | Promise
    short_reason: str | Promise
    staff_reason: str | Promise
    grant: bool = False  # an allowed or overridden answer; a refusal when False


_REASONS: dict[str, Reason] = {}


def _no_policies(clauses: Sequence[str], language: str) -> dict[str, str]:
    raise LookupError("no policy registry told decisions its clause titles (policies app)")


# The policy registry, an app above core, gives decisions its clause titles when it loads
# (policies/apps.py), so that core imports no other app.
_clause_titles: Callable[[Sequence[str], str], Mapping[str, str]] = _no_policies


def use_clause_titles(lookup: Callable[[Sequence[str], str], Mapping[str, str]]) -> None:
    global _clause_titles
    _clause_titles = lookup


def register(reason: Reason) -> Reason:
    """Add a decision code; each app registers its own codes at import time."""
    if not reason.grant and not reason.clauses:
        raise ValueError(f"decision code {reason.code!r} names no policy clause")
    existing = _REASONS.get(reason.code)
    if existing is not None and existing != reason:
        raise ValueError(f"decision code {reason.code!r} is registered twice")
    _REASONS[reason.code] = reason
    return reason


def registered_reasons() -> dict[str, Reason]:
    return dict(_REASONS)


@dataclass(frozen=True)
class Alternative:
    """Something the patron can do instead: another copy, a hold, a referral..."""

    kind: AlternativeKind
    label: str | Promise
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "label": str(self.label), **self.details}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    code: str
    alternatives: tuple[Alternative, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    # The refusal this decision answers: the block an override set aside, or the refusal an
    # override was asked for in vain. Its texts fill `{refusal}`; a refusal cites its clauses.
    cause: Decision | None = None

    @classmethod
    def allow(cls, code: str, **params: Any) -> Decision:
        return cls._make(Outcome.ALLOWED, code, (), params)

    @classmethod
    def refuse(
        cls,
        code: str,
        alternatives: tuple[Alternative, ...] = (),
        *,
        cause: Decision | None = None,
        **params: Any,
    ) -> Decision:
        return cls._make(Outcome.REFUSED, code, alternatives, params, cause)

    @classmethod
    def override(cls, code: str, *, cause: Decision | None = None, **params: Any) -> Decision:
        return cls._make(Outcome.OVERRIDDEN, code, (), params, cause)

    @classmethod
    def _make(
        cls,
        outcome: Outcome,
        code: str,
        alternatives: tuple,
        params: dict,
        cause: Decision | None = None,
    ) -> Decision:
        reason = _REASONS.get(code)
        if reason is None:
            raise LookupError(f"unknown decision code {code!r}: register it with a Reason")
        if reason.grant != (outcome != Outcome.REFUSED):
            kind = "a grant" if reason.grant else "a refusal"
            raise ValueError(f"decision code {code!r} is {kind}; it cannot be {outcome}")
        return cls(outcome, code, tuple(alternatives), params, cause)

    def with_alternatives(self, alternatives: tuple[Alternative, ...]) -> Decision:
        """The same decision, offering these alternatives (found once the refusal is known)."""
        return replace(self, alternatives=tuple(alternatives))

    @property
    def allowed(self) -> bool:
        return self.outcome != Outcome.REFUSED

    @property
    def clauses(self) -> tuple[str, ...]:
        """The code's clauses; a refusal about another refusal cites that one's too."""
        own = _REASONS[self.code].clauses
        if self.cause is None or self.allowed:
            return own
        return own + tuple(c for c in self.cause.clauses if c not in own)

    def _text(self, kind: str) -> str:
        text = str(getattr(_REASONS[self.code], kind))
        # Dates read as words in the reader's language ("Due back on 21 December 2026"); the
        # params keep the date itself for whatever needs it as a value.
        params = {k: long_date(v) if isinstance(v, date) else v for k, v in self.params.items()}
        if self.cause is not None:
            params.setdefault("refusal", getattr(self.cause, kind))
            params.setdefault("refusal_short", self.cause.short_reason)
        return text.format(**params) if params else text

    @property
    def reason(self) -> str:
        return self._text("reason")

    @property
    def short_reason(self) -> str:
        text = self._text("short_reason")
        return text if len(text) <= SHORT_REASON_LIMIT else text[: SHORT_REASON_LIMIT - 1] + "…"

    @property
    def staff_reason(self) -> str:
        return self._text("staff_reason")

    @property
    def ask_why_url(self) -> str:
        """The clause's "ask why" page; a grant that cites no clause links to the policies."""
        return ask_why_url(self.clauses[0]) if self.clauses else reverse("web:ask-why")

    def raise_if_refused(self) -> Decision:
        if not self.allowed:
            raise Refused(self)
        return self

    def as_json(self, language: str | None = None) -> dict[str, Any]:
        """The API's rendering, in `language` (default: the active one)."""
        with translation.override(language or translation.get_language()):
            clauses = self.clauses
            titles = _clause_titles(clauses, translation.get_language()) if clauses else {}
            return {
                "outcome": str(self.outcome),
                "code": self.code,
                "clauses": [{"id": cid, "title": titles[cid]} for cid in clauses],
                "reason": self.reason,
                "short_reason": self.short_reason,
                "staff_reason": self.staff_reason,
                "alternatives": [alt.as_json() for alt in self.alternatives],
                "ask_why_url": self.ask_why_url,
            }


class Refused(Exception):
    """Raised by a service when a decision refuses; every door knows how to render it."""

    def __init__(self, decision: Decision, *, status: int = 409, retry_after: int | None = None):
        super().__init__(decision.code)
        self.decision = decision
        self.status = status
        self.retry_after = retry_after


def ask_why_url(clause_id: str) -> str:
    """The public page that explains a clause and takes a question about it."""
    return f"{reverse('web:ask-why')}?{urlencode({'clause': clause_id})}"
