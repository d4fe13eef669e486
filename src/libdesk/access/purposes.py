"""An Access says who is reading whose data, in which context: selectors take one, check the
access table, and write the audit entry before they return anything.

A read is recorded once per kind of data per serving context (and per guardian sign-in): the
serving page shows the loans on every scan, and the patron's access log should say "a clerk
at Main looked at your loans", not the same line forty times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from libdesk.access.table import Context, Role, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.audit.models import ActorKind

# Contexts whose reads belong to one visit: the entry that opened it, and who made that entry.
DESK_CONTEXTS = (Context.SERVING, Context.GUARDIAN_AT_DESK)
GUARDIAN_CONTEXTS = (Context.GUARDIAN_AT_DESK, Context.GUARDIAN)


@dataclass(frozen=True)
class Access:
    actor: Actor
    role: str
    context: Context
    patron_id: int
    basis: str = ""
    guardian_id: int | None = None
    # The kinds of data already recorded in this visit, read from the log once per Access (one
    # page or API call): later reads of a kind in the same visit write nothing.
    _recorded: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def own(cls, patron_id: int) -> Access:
        """A patron signed in to their own account (the sign-in is the identity check)."""
        return cls(Actor.patron(patron_id), Role.PATRON, Context.SELF, patron_id, "self")

    def read(self, resource: str, data_kind: str) -> None:
        """Check the table for reading `resource`, then audit the read (kind of data only),
        once per kind of data in this serving context or guardian sign-in.

        Two calls of one visit at the same instant may both record a kind (a second line,
        never a missing one): checking again under the chain's lock would cost a query for
        every kind on every first page of a visit."""
        require(self.role, resource, "read", self.context)
        if self.context == Context.SELF:
            return  # a patron reading their own account is not a disclosure
        action = "patron.read.guardian" if self.context in GUARDIAN_CONTEXTS else "patron.read"
        object_id = self.guardian_id or ""
        opening = self._opening()
        if opening is not None:
            if "kinds" not in self._recorded:
                self._recorded["kinds"] = audit.kinds_read_since(
                    opening, self.actor, action, self.patron_id, object_id
                )
            if data_kind in self._recorded["kinds"]:
                return
        audit.record(
            self.actor,
            action,
            object_type="patron" if self.guardian_id is None else "guardian",
            object_id=object_id,
            patron_id=self.patron_id,
            data_kind=data_kind,
            reason=self.basis,
        )
        if opening is not None:
            self._recorded["kinds"].add(data_kind)

    def _opening(self) -> audit.Opening | None:
        """The entry that began this visit: the serving context's opening at this desk, or
        the guardian's own sign-in. Reads in other contexts are recorded every time."""
        if self.context in DESK_CONTEXTS:
            return audit.Opening(
                "serving.open",
                ActorKind.STAFF,
                self.actor.id,
                self.actor.workstation,
                self.patron_id,
            )
        if self.context == Context.GUARDIAN and self.guardian_id is not None:
            return audit.Opening(
                "patron.sign_in", ActorKind.PATRON, str(self.guardian_id), "", self.guardian_id
            )
        return None

    def change(self, resource: str) -> None:
        require(self.role, resource, "change", self.context)
