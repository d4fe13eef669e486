"""State changes in the policy registry: registering versions and recording reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.audit.reasons import BOARD_MOTION
from libdesk.core import clock
from libdesk.policies.documents import PolicyDocument
from libdesk.policies.models import (
    Clause,
    ClauseTranslation,
    Policy,
    PolicyReview,
    PolicyStatus,
    PolicyTranslation,
)
from libdesk.policies.selectors import forget_clause_titles


class PolicyError(Exception):
    """A registry change that cannot be made, with the reason in plain words."""


@dataclass(frozen=True)
class Registration:
    policy: Policy
    outcome: str  # "registered", "new version" or "unchanged"
    superseded: tuple[Policy, ...] = ()


def register_policy(doc: PolicyDocument) -> Registration:
    """Store a policy document as a new version, superseding what it replaces.

    Re-registering identical content changes nothing, so an import can be run twice safely.
    """
    with transaction.atomic():
        current = (
            Policy.objects.select_for_update()
            .filter(number=doc.number)
            .order_by("-version")
            .first()
        )
        if current is not None and current.source_digest == doc.digest():
            return Registration(current, "unchanged")
        _check_dates(doc, current)
        earlier = _superseded_policy(doc, current)
        policy = _create_version(doc, current, earlier)
        superseded = _supersede(earlier, policy) if doc.status == PolicyStatus.IN_FORCE else ()
        audit.record(
            Actor.system("policies"),
            "policy.register",
            object_type="policy",
            object_id=f"{policy.number} v{policy.version}",
        )
        transaction.on_commit(forget_clause_titles)
        return Registration(policy, "new version" if current else "registered", superseded)


def _check_dates(doc: PolicyDocument, current: Policy | None) -> None:
    today = clock.today()
    if doc.adopted and doc.adopted > today:
        raise PolicyError(f"{doc.number}: adoption date {doc.adopted} is in the future")
    if doc.last_reviewed and doc.adopted and doc.last_reviewed < doc.adopted:
        raise PolicyError(f"{doc.number}: last review {doc.last_reviewed} is before adoption")
    if doc.status == PolicyStatus.IN_FORCE and not doc.adopted:
        raise PolicyError(f"{doc.number}: a policy in force needs its adoption date")
    if current and current.adopted_on and doc.adopted and doc.adopted < current.adopted_on:
        raise PolicyError(
            f"{doc.number}: version {current.version} was adopted {current.adopted_on}, "
            f"after this one ({doc.adopted}); it cannot be superseded by an older text"
        )


def _superseded_policy(doc: PolicyDocument, current: Policy | None) -> Policy | None:
    """The registered policy this document replaces: its own earlier version, or another."""
    if doc.supersedes and doc.supersedes != doc.number:
        other = Policy.objects.filter(number=doc.supersedes, status=PolicyStatus.IN_FORCE).first()
        if other is not None:
            return other
    return current


def _create_version(doc: PolicyDocument, current: Policy | None, earlier: Policy | None) -> Policy:
    supersedes_number = doc.supersedes or ""
    if earlier is not None and earlier.number == supersedes_number:
        supersedes_number = ""
    policy = Policy.objects.create(
        number=doc.number,
        version=(current.version + 1) if current else 1,
        title=doc.title,
        section=doc.section,
        status=PolicyStatus.DRAFT,
        supersedes=earlier,
        supersedes_number=supersedes_number,
        motion=doc.motion,
        adopted_on=doc.adopted,
        last_reviewed_on=doc.last_reviewed,
        review_years=doc.review_every_years,
        text=doc.text,
        registered_at=clock.now(),
        source_digest=doc.digest(),
    )
    PolicyTranslation.objects.bulk_create(
        PolicyTranslation(
            policy=policy, language=lang, title=t.title, text=t.text, official=t.official
        )
        for lang, t in doc.translations.items()
    )
    for position, clause_doc in enumerate(doc.clauses, start=1):
        clause = Clause.objects.create(
            policy=policy,
            slug=clause_doc.id,
            position=position,
            title=clause_doc.title,
            text=clause_doc.text,
            why=clause_doc.why,
        )
        ClauseTranslation.objects.bulk_create(
            ClauseTranslation(clause=clause, language=lang, title=t.title, text=t.text, why=t.why)
            for lang, t in clause_doc.translations.items()
        )
    return policy


def _supersede(earlier: Policy | None, policy: Policy) -> tuple[Policy, ...]:
    replaced = list(
        Policy.objects.filter(number=policy.number, status=PolicyStatus.IN_FORCE).exclude(
            pk=policy.pk
        )
    )
    if earlier is not None and earlier.status == PolicyStatus.IN_FORCE and earlier not in replaced:
        replaced.append(earlier)
    for old in replaced:
        old.status = PolicyStatus.SUPERSEDED
        old.save(update_fields=["status"])
    policy.status = PolicyStatus.IN_FORCE
    policy.save(update_fields=["status"])
    return tuple(replaced)


def record_review(number: str, reviewed_on: date, motion: str = "") -> PolicyReview:
    """Record that the board reviewed the policy in force and kept it unchanged."""
    with transaction.atomic():
        policy = (
            Policy.objects.select_for_update()
            .filter(number=number, status=PolicyStatus.IN_FORCE)
            .first()
        )
        if policy is None:
            raise PolicyError(f"no policy numbered {number!r} is in force")
        if motion and not BOARD_MOTION.admits(motion):
            raise PolicyError(
                f"motion {motion!r} is not a board motion number (for example 071-2024, "
                f"#063-2019 or M-12): give the number the minutes record"
            )
        if reviewed_on > clock.today():
            raise PolicyError(f"review date {reviewed_on} is in the future")
        if policy.adopted_on and reviewed_on < policy.adopted_on:
            raise PolicyError(
                f"review date {reviewed_on} is before the adoption date {policy.adopted_on}"
            )
        if policy.last_reviewed_on and reviewed_on < policy.last_reviewed_on:
            raise PolicyError(
                f"{number} was already reviewed on {policy.last_reviewed_on}, after {reviewed_on}"
            )
        review = PolicyReview.objects.create(
            policy=policy, reviewed_on=reviewed_on, motion=motion, recorded_at=clock.now()
        )
        policy.last_reviewed_on = reviewed_on
        policy.save(update_fields=["last_reviewed_on"])
        audit.record(
            Actor.system("policies"),
            "policy.review",
            object_type="policy",
            object_id=f"{policy.number} v{policy.version}",
            reason=motion,
        )
        return review
