"""The disclosure register: requests from third parties for someone else's information, and
the privacy officer's decisions on them (PRIVACY.md, "Access and disclosure").

This module only adds to the register: `record_request` and `record_decision` insert, and
nothing here (or anywhere: the models refuse it, and a database trigger refuses an UPDATE from
any program) changes or removes an entry. A decision taken again is a new entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.bounds import CARD_MAX, LONG_TEXT_MAX, SHORT_TEXT_MAX, parse_id
from libdesk.core.decisions import Decision
from libdesk.core.errors import InputError, NotFound
from libdesk.patrons.selectors import patron_by_card
from libdesk.privacy import reasons  # noqa: F401  (registers third_party_request_refused)
from libdesk.privacy.models import (
    AuthorityKind,
    DisclosureDecision,
    DisclosureOutcome,
    DisclosureRequest,
    RequesterKind,
)


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the desk knows it once recorded: its reference, and the answer given."""

    reference: str
    decision: Decision


@dataclass(frozen=True)
class RequestDetails:
    requester_kind: str
    requester: str
    concerns: str
    asked: str
    patron_card: str = ""


@dataclass(frozen=True)
class DecisionDetails:
    requester: str
    authority_kind: str
    authority_reference: str
    scope: str
    outcome: str
    patron_card: str = ""


def record_request(staff, workstation, details: RequestDetails, key: uuid.UUID) -> RecordedRequest:
    """Record a third party's request and answer it with the refusal the policy requires; the
    request waits in the register for the privacy officer. Sent twice with the same key, it is
    recorded once and answered alike."""
    require(staff.role, "disclosure_request", "create", Context.NONE)
    _check_choice("requester_kind", details.requester_kind, RequesterKind)
    _check_given("requester", details.requester)
    _check_given("concerns", details.concerns)
    _check_given("asked", details.asked, LONG_TEXT_MAX)
    _check_length("patron_card", details.patron_card, CARD_MAX)
    existing = DisclosureRequest.objects.filter(key=key, received_by=staff).first()
    if existing is None:
        existing = _insert_request(staff, workstation, details, key)
    return RecordedRequest(existing.reference, _refusal(existing))


def _insert_request(staff, workstation, details: RequestDetails, key) -> DisclosureRequest:
    patron = patron_by_card(details.patron_card) if details.patron_card.strip() else None
    try:
        with transaction.atomic():
            made = DisclosureRequest.objects.create(
                key=key,
                received_at=clock.now(),
                received_by=staff,
                branch=workstation.branch.code if workstation else "",
                requester_kind=details.requester_kind,
                requester=details.requester.strip(),
                concerns=details.concerns.strip(),
                asked=details.asked.strip(),
                patron_id=patron.pk if patron else None,
            )
            # Ids only: the register names the patron, the audit log does not.
            audit.record(
                Actor.staff(staff, workstation),
                "disclosure.request",
                object_type="disclosure_request",
                object_id=made.pk,
                reason=details.requester_kind,
            )
    except IntegrityError:  # the same form, sent at the same moment from another tab
        made = DisclosureRequest.objects.filter(key=key, received_by=staff).first()
        if made is None:
            raise InputError("key", _("this key belongs to another request")) from None
    return made


def _refusal(request: DisclosureRequest) -> Decision:
    return Decision.refuse("third_party_request_refused", reference=request.reference)


def record_decision(
    staff, workstation, request_id: object, details: DecisionDetails, key: uuid.UUID
) -> DisclosureDecision:
    """Add the privacy officer's decision on a request to the register. A disclosure needs the
    legal authority shown and its reference, and the scope of what is disclosed."""
    require(staff.role, "disclosure_request", "answer", Context.NONE)
    request = DisclosureRequest.objects.filter(pk=_id(request_id)).first()
    if request is None:
        raise NotFound
    _check_decision(details)
    existing = DisclosureDecision.objects.filter(key=key).first()
    if existing is not None:
        if existing.request_id != request.pk:
            raise InputError("key", _("this key belongs to another decision"))
        return existing
    patron = patron_by_card(details.patron_card) if details.patron_card.strip() else None
    if details.patron_card.strip() and patron is None:
        raise InputError("patron_card", _("no patron has this card"))
    with transaction.atomic():
        decision = DisclosureDecision.objects.create(
            key=key,
            request=request,
            decided_at=clock.now(),
            decided_by=staff,
            requester=details.requester.strip(),
            authority_kind=details.authority_kind,
            authority_reference=details.authority_reference.strip(),
            scope=details.scope.strip(),
            outcome=details.outcome,
            patron_id=patron.pk if patron else request.patron_id,
        )
        audit.record(
            Actor.staff(staff, workstation),
            "disclosure.decision",
            object_type="disclosure_request",
            object_id=request.pk,
            reason=details.outcome,
        )
    return decision


def _check_decision(details: DecisionDetails) -> None:
    _check_choice("authority_kind", details.authority_kind, AuthorityKind)
    _check_choice("outcome", details.outcome, DisclosureOutcome)
    _check_given("requester", details.requester)
    _check_length("patron_card", details.patron_card, CARD_MAX)
    _check_length("authority_reference", details.authority_reference)
    _check_length("scope", details.scope, LONG_TEXT_MAX)
    if details.outcome == DisclosureOutcome.REFUSED:
        return
    if details.authority_kind == AuthorityKind.NONE:
        raise InputError(
            "authority_kind", _("nothing is disclosed without a legal authority: name it")
        )
    _check_given("authority_reference", details.authority_reference)
    _check_given("scope", details.scope, LONG_TEXT_MAX)


def _check_choice(field: str, value: str, choices) -> None:
    if value not in choices.values:
        raise InputError(field, _("choose one of the listed values"))


def _check_given(field: str, value: str, limit: int = SHORT_TEXT_MAX) -> None:
    if not value.strip():
        raise InputError(field, _("this is needed in the register"))
    _check_length(field, value, limit)


def _check_length(field: str, value: str, limit: int = SHORT_TEXT_MAX) -> None:
    if "\x00" in value:  # no database stores it as text (PostgreSQL refuses it)
        raise InputError(field, _("must not contain a NUL character"))
    if len(value.strip()) > limit:
        raise InputError(field, _("at most %(limit)d characters") % {"limit": limit})


def _id(value: object) -> int:
    found = parse_id(value)
    if found is None:
        raise NotFound
    return found
