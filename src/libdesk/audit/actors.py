"""Who did something, as the audit log records it."""

from __future__ import annotations

from dataclasses import dataclass

from libdesk.audit.models import ActorKind


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str = ""
    role: str = ""
    workstation: str = ""
    branch: str = ""

    @classmethod
    def system(cls, name: str = "libdesk") -> Actor:
        return cls(ActorKind.SYSTEM, name)

    @classmethod
    def public(cls) -> Actor:
        return cls(ActorKind.PUBLIC)

    @classmethod
    def staff(cls, user, workstation=None) -> Actor:
        return cls(
            ActorKind.STAFF,
            str(user.pk),
            user.role,
            workstation.name if workstation else "",
            workstation.branch.code if workstation else "",
        )

    @classmethod
    def patron(cls, patron_id: int) -> Actor:
        return cls(ActorKind.PATRON, str(patron_id), "patron")

    @classmethod
    def self_service(cls) -> Actor:
        """A patron acting on their own loans: circulation entries never name the patron."""
        return cls(ActorKind.PATRON, "", "patron")

    @classmethod
    def guardian(cls, patron_id: int) -> Actor:
        return cls(ActorKind.GUARDIAN, str(patron_id), "guardian")
