"""An Access says who is reading whose data, in which context: selectors take one, check the
access table, and write the audit entry before they return anything."""

from __future__ import annotations

from dataclasses import dataclass

from libdesk.access.table import Context, Role, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor


@dataclass(frozen=True)
class Access:
    actor: Actor
    role: str
    context: Context
    patron_id: int
    basis: str = ""
    guardian_id: int | None = None

    @classmethod
    def own(cls, patron_id: int) -> Access:
        """A patron signed in to their own account (the sign-in is the identity check)."""
        return cls(Actor.patron(patron_id), Role.PATRON, Context.SELF, patron_id, "self")

    def read(self, resource: str, data_kind: str) -> None:
        """Check the table for reading `resource`, then audit the read (kind of data only)."""
        require(self.role, resource, "read", self.context)
        if self.context == Context.SELF:
            return  # a patron reading their own account is not a disclosure
        action = (
            "patron.read" if self.context != Context.GUARDIAN_AT_DESK else "patron.read.guardian"
        )
        audit.record(
            self.actor,
            action,
            object_type="patron" if self.guardian_id is None else "guardian",
            object_id=self.guardian_id or "",
            patron_id=self.patron_id,
            data_kind=data_kind,
            reason=self.basis,
        )

    def change(self, resource: str) -> None:
        require(self.role, resource, "change", self.context)
