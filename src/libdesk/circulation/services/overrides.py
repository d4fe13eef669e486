"""Overrides: a clerk's judgment call in the patron's favour (clause patrons-favour), what it
may set aside, and how it is kept.

A clerk may let a checkout or renewal through the patron blocks in OVERRIDABLE. Refusals that
protect another patron's place in line are not on the list (overriding them would act against
someone else), nor are those no judgment can change: a copy already lent or not for loan, a
lost card, no loan rule, a renewal adding no time. Asking to override one of those is refused
as `not_overridable`, naming it, and nothing is recorded.
"""

from __future__ import annotations

from typing import NoReturn

from libdesk.audit import services as audit
from libdesk.circulation.desk import Desk, OverrideRequest
from libdesk.circulation.models import Override
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused

OVERRIDABLE = {"card_expired", "too_many_items", "fees_over_limit", "renewal_limit"}


def refuse(refusal: Decision, override: OverrideRequest | None) -> NoReturn:
    """Refuse with a decision no override can lift. A clerk who asked for one is told so
    (`not_overridable`, with the refusal's own reason, clauses and alternatives)."""
    if override is not None:
        raise Refused(Decision.refuse("not_overridable", refusal.alternatives, cause=refusal))
    raise Refused(refusal)


def refuse_unless_overridden(blocks: list[Decision], override: OverrideRequest | None) -> None:
    """Any block refuses, unless a clerk overrides and every block is one a clerk may set
    aside. One that is not refuses first, whether or not an override was asked for."""
    fixed = next((block for block in blocks if block.code not in OVERRIDABLE), None)
    if fixed is not None:
        refuse(fixed, override)
    if blocks and override is None:
        raise Refused(blocks[0])


def record_override(
    desk: Desk, kind: str, override: OverrideRequest, loan, code: str = "", **amounts
) -> Override:
    """The override row (by loan or fee, never by patron) and its audit entry."""
    row = Override.objects.create(
        kind=kind,
        reason=override.reason,
        note=override.note.strip(),
        refusal_code=code,
        staff=desk.staff,
        branch=desk.branch,
        loan=loan,
        at=clock.now(),
        **amounts,
    )
    audit.record(
        desk.actor,
        "circulation.override",
        object_type="override",
        object_id=row.pk,
        reason=f"{kind} {override.reason}",
    )
    return row
