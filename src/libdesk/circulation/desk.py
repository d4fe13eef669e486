"""Who is acting on circulation, and from where: a member of staff at a workstation, a patron
serving themselves, or a kiosk. Audit entries name this party, never the patron served."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from libdesk.access.table import DESK_ROLES
from libdesk.audit.actors import Actor
from libdesk.circulation.models import OverrideReason, Via
from libdesk.core.decisions import Alternative, AlternativeKind, Decision, Refused
from libdesk.core.errors import InputError
from libdesk.library.models import Branch


class CirculationError(InputError):
    """Input a circulation service cannot accept, naming the field it came in."""


@dataclass(frozen=True)
class Desk:
    actor: Actor
    branch: Branch
    via: str
    staff: object | None = None

    @classmethod
    def staff_at(cls, staff, workstation, via: str = Via.DESK) -> Desk:
        return cls(Actor.staff(staff, workstation), workstation.branch, via, staff)

    @classmethod
    def self_service(cls, branch: Branch, via: str = Via.SELF) -> Desk:
        return cls(Actor.self_service(), branch, via)

    @property
    def may_override(self) -> bool:
        return self.staff is not None and self.staff.role in DESK_ROLES

    def require_may_override(self) -> None:
        """Judgment calls are desk staff's (clause patrons-favour): anyone else asking for one
        is refused with 403, never quietly served without it."""
        if not self.may_override:
            ask = Alternative(
                AlternativeKind.REFERRAL,
                _("Ask staff at any desk: they can make a judgment call in your favour."),
            )
            raise Refused(Decision.refuse("override_not_permitted", (ask,)), status=403)


@dataclass(frozen=True)
class OverrideRequest:
    """A clerk's judgment call: a reason code from the list and a note in their own words."""

    reason: str
    note: str

    def __post_init__(self) -> None:
        if self.reason not in OverrideReason.values:
            raise CirculationError(
                "override_reason", _("choose one of: %s") % ", ".join(OverrideReason.values)
            )
        if not self.note.strip():
            raise CirculationError("override_note", _("say in a few words why"))
        if len(self.note) > 300:
            raise CirculationError("override_note", _("keep the note under 300 characters"))
