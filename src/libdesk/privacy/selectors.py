"""Reads privacy owns: the children a guardian signed in online may look at (the parent
exception online), and the disclosure register, which only the privacy officer reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from libdesk.access.purposes import Access
from libdesk.access.table import Context, Role, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.bounds import parse_id
from libdesk.core.errors import NotFound
from libdesk.patrons.models import GuardianLink, Patron
from libdesk.privacy.models import DisclosureDecision, DisclosureRequest

# The basis a guardian's online reads are recorded on: their own sign-in is the ID.
GUARDIAN_SIGN_IN = "guardian_sign_in"
REGISTER_PAGE = 200


@dataclass(frozen=True)
class CoveredChild:
    """A child the guardian exception lets this guardian see now, by internal id (never the
    card number, which a URL or a log would otherwise carry)."""

    id: int
    name: str
    covered_until: date


def covered_children(guardian_id: int) -> list[CoveredChild]:
    """The guardian's children still under `minor_until`: the guardian's own links (their
    family, as their account page reads it), so listing them discloses nothing of a child's."""
    Access.own(guardian_id).read("patron.profile", "family")
    return [_covered(link) for link in _links(guardian_id)]


def child_for_guardian(guardian_id: int, child_id: object) -> tuple[CoveredChild, Access]:
    """Fetch and authorise in one call: the child and the Access a guardian signed in online
    reads their loans, holds and fees with. A child not linked to this guardian, past the
    age limit, or not there at all is NotFound alike (a 404 confirms nothing)."""
    wanted = parse_id(child_id)
    link = _links(guardian_id).filter(child_id=wanted).first() if wanted else None
    if link is None:
        raise NotFound
    access = Access(
        actor=Actor.guardian(guardian_id),
        role=Role.GUARDIAN,
        context=Context.GUARDIAN,
        patron_id=link.child_id,
        basis=GUARDIAN_SIGN_IN,
        guardian_id=guardian_id,
    )
    return _covered(link), access


def _links(guardian_id: int):
    return (
        GuardianLink.objects.filter(guardian_id=guardian_id, child__minor_until__gt=clock.today())
        .select_related("child")
        .order_by("child__name", "child_id")
    )


def _covered(link: GuardianLink) -> CoveredChild:
    return CoveredChild(link.child_id, link.child.name, link.child.minor_until)


# --- The disclosure register --------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """A request with its decisions (oldest first; the last one stands), and the patron it
    concerns by name when the register names one who still has an account."""

    request: DisclosureRequest
    decisions: list[DisclosureDecision]
    patron_name: str

    @property
    def standing(self) -> DisclosureDecision | None:
        return self.decisions[-1] if self.decisions else None


def disclosure_register(staff, workstation) -> list[RegisterRow]:
    """The register, newest request first, for the privacy officer; the read is audited."""
    require(staff.role, "disclosure_register", "read", Context.NONE)
    audit.record(
        Actor.staff(staff, workstation), "disclosure.read", object_type="disclosure_register"
    )
    return _rows(_requests()[:REGISTER_PAGE])


def disclosure_request_for(staff, workstation, request_id: object) -> RegisterRow:
    """One request of the register with its decisions; the read is audited."""
    require(staff.role, "disclosure_register", "read", Context.NONE)
    wanted = parse_id(request_id)
    found = _requests().filter(pk=wanted).first() if wanted else None
    if found is None:
        raise NotFound
    audit.record(
        Actor.staff(staff, workstation),
        "disclosure.read",
        object_type="disclosure_request",
        object_id=found.pk,
    )
    return _rows([found])[0]


def _requests():
    decisions = DisclosureDecision.objects.select_related("decided_by").order_by("decided_at", "pk")
    return DisclosureRequest.objects.select_related("received_by").prefetch_related(
        Prefetch("decisions", queryset=decisions)
    )


def _rows(requests) -> list[RegisterRow]:
    requests = list(requests)
    decisions = {r.pk: list(r.decisions.all()) for r in requests}
    ids = {r.patron_id for r in requests} | {d.patron_id for ds in decisions.values() for d in ds}
    names = dict(Patron.objects.filter(pk__in=ids - {None}).values_list("pk", "name"))
    rows = []
    for request in requests:
        latest = decisions[request.pk][-1] if decisions[request.pk] else None
        patron_id = latest.patron_id if latest and latest.patron_id else request.patron_id
        rows.append(RegisterRow(request, decisions[request.pk], names.get(patron_id, "")))
    return rows
