"""Opening and ending serving contexts: how staff come to see a patron's account."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.access.purposes import Access
from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError
from libdesk.patrons.models import GuardianLink, Patron
from libdesk.patrons.selectors import patron_by_card, retired_card_reason
from libdesk.privacy import reasons
from libdesk.privacy.models import GUARDIAN_BASES, Basis, ServingContext

# How often using a context pushes its idle end back: within this, the idle time is exact
# enough, and a run of checkouts writes nothing to keep the context open.
TOUCH_EVERY = timedelta(seconds=30)


# What the patron's access log says when staff open their account at the desk.
ACCOUNT_OPENED = "account opened at the desk"


class PatronNotFound(Exception):
    """No patron has this card or id: the same answer whether or not one ever did."""


# What the desk records when a parent or guardian asks about a child with neither the child's
# card nor their own identification: not a basis anything opens on, only a refusal to show.
NOTHING_PRESENTED = "guardian_nothing_presented"


def open_serving_context(
    staff,
    workstation,
    *,
    basis: str,
    card: str = "",
    patron_id: int | None = None,
    guardian_card: str = "",
    note: str = "",
) -> ServingContext:
    """Start serving one patron, on a recorded basis. Raises PatronNotFound or Refused.

    Every way the desk opens a child's account for someone else comes through here: a guardian
    basis needs the guardian's own card and passes the guardian exception's checks, and a
    guardian's card with any other basis is refused as input, so a staff client cannot open
    the child's whole account for the parent by naming the wrong basis."""
    require(staff.role, "serving_context", "create", Context.NONE)
    if basis == NOTHING_PRESENTED:
        raise Refused(Decision.refuse("guardian_needs_card_or_id"))
    basis = Basis(basis)
    guardian_card = guardian_card.strip()
    if guardian_card and basis not in GUARDIAN_BASES:
        raise InputError(
            "guardian_card",
            _("a guardian's card goes with a guardian basis; this basis serves the patron"),
        )
    if basis == Basis.GUARDIAN_WITH_CHILD_CARD and not card.strip():
        raise Refused(Decision.refuse("guardian_needs_card_or_id"))
    patron = _patron_for(basis, card, patron_id)
    guardian = _guardian_for(patron, guardian_card) if basis in GUARDIAN_BASES else None
    now = clock.now()
    with transaction.atomic():
        context = ServingContext.objects.create(
            staff=staff,
            workstation=workstation,
            patron=patron,
            basis=basis,
            guardian=guardian,
            note=note.strip()[:200],
            opened_at=now,
            last_used_at=now,
        )
        audit.record(
            Actor.staff(staff, workstation),
            "serving.open",
            object_type="serving_context",
            object_id=context.pk,
            patron_id=patron.pk,
            data_kind=ACCOUNT_OPENED,
            reason=basis,
        )
    return context


def _patron_for(basis: Basis, card: str, patron_id: int | None) -> Patron:
    if basis == Basis.CARD_PRESENTED and not card:
        raise InputError("patron_card", _("this basis needs the card that was presented"))
    if card:
        patron = patron_by_card(card)
        if patron is None:
            why = retired_card_reason(card)
            if why:
                raise Refused(Decision.refuse("card_not_valid", why=why))
            raise PatronNotFound
        if patron.card_lost_at:
            raise Refused(Decision.refuse("card_not_valid", why="reported lost"))
        if patron_id is not None and patron.pk != patron_id:
            raise PatronNotFound
        return patron
    patron = Patron.objects.filter(pk=patron_id).first() if patron_id else None
    if patron is None:
        raise PatronNotFound
    return patron


def _guardian_for(child: Patron, guardian_card: str) -> Patron:
    """The guardian the exception lets see this child's account now, or a refusal saying why
    not (the clerk reads the reason to the parent; the staff reason says which check failed)."""
    guardian = patron_by_card(guardian_card) if guardian_card else None
    if not guardian_card:
        why = reasons.GUARDIAN_NOT_IDENTIFIED
    elif guardian is None:
        why = reasons.GUARDIAN_CARD_UNKNOWN
    elif guardian.card_lost_at:
        why = reasons.GUARDIAN_CARD_LOST
    elif not GuardianLink.objects.filter(guardian=guardian, child=child).exists():
        why = reasons.NOT_LINKED
    elif child.minor_until is None or child.minor_until <= clock.today():
        why = reasons.PAST_AGE_LIMIT
    else:
        return guardian
    raise Refused(Decision.refuse("guardian_exception_not_met", why=why))


def active_serving_context(context_id: object, staff, workstation) -> ServingContext | None:
    """The context if this member of staff opened it at this workstation and it is still
    open; touching it keeps it open. Anything else is None, so a door answers 404 (a context
    does not follow its clerk to another desk, where the audit would name the wrong one)."""
    idle = timedelta(minutes=settings.LIBDESK["SERVING_IDLE_MINUTES"])
    now = clock.now()
    try:
        context_id = uuid.UUID(str(context_id))
    except ValueError:
        return None  # a malformed id is simply not found
    try:  # get(), not an ordered first(): every staff call about a patron comes through here
        context = ServingContext.objects.select_related(
            "patron", "workstation__branch", "guardian"
        ).get(pk=context_id, staff=staff, workstation=workstation, ended_at__isnull=True)
    except ServingContext.DoesNotExist:
        return None
    context.staff = staff  # already in hand: no query to read it again
    if context.last_used_at < now - idle:
        return None
    if context.last_used_at < now - TOUCH_EVERY:  # not a write on every scan at a busy desk
        ServingContext.objects.filter(pk=context.pk).update(last_used_at=now)
    return context


def end_serving_context(context: ServingContext) -> None:
    with transaction.atomic():
        ServingContext.objects.filter(pk=context.pk, ended_at__isnull=True).update(
            ended_at=clock.now()
        )
        audit.record(
            Actor.staff(context.staff, context.workstation),
            "serving.end",
            object_type="serving_context",
            object_id=context.pk,
            patron_id=context.patron_id,
        )


def serving_access(context: ServingContext) -> Access:
    """What a serving context lets its member of staff read, for the selectors."""
    in_guardian_mode = context.basis in GUARDIAN_BASES
    return Access(
        actor=Actor.staff(context.staff, context.workstation),
        role=context.staff.role,
        context=Context.GUARDIAN_AT_DESK if in_guardian_mode else Context.SERVING,
        patron_id=context.patron_id,
        basis=context.basis,
        guardian_id=context.guardian_id if in_guardian_mode else None,
    )
