"""Reads of patron data. Each takes an Access, checks the access table and writes the audit
entry; without an Access there is nothing to read."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db.models import Q, QuerySet

from libdesk.access.purposes import Access
from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import lockout
from libdesk.core.statements import Select
from libdesk.patrons.models import (
    CardBlock,
    ConsentPurpose,
    ConsentRecord,
    GuardianLink,
    Patron,
    RetiredCard,
)


def card_hash(card: str, key: str | None = None) -> str:
    """Keyed hash of a card number, for retired cards: recognisable, not readable."""
    secret = (key or settings.SECRET_KEY).encode()
    return hmac.new(secret, card.strip().encode(), hashlib.sha256).hexdigest()


def is_retired_card(card: str) -> bool:
    return RetiredCard.objects.filter(card_hash__in=_card_hashes(card)).exists()


def _card_hashes(card: str) -> list[str]:
    """The card's hash under the current key and under each key it replaced, so a retired
    card is still recognised while SECRET_KEY_FALLBACKS holds the old key."""
    return [card_hash(card, key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]


# Every desk scan and kiosk sign-in starts here: compiled once (core.statements).
PATRON_BY_CARD = Select(
    lambda card: Patron.objects.select_related("home_branch").filter(card_number=card)[:1],
    card=str,
)


def patron_by_card(card: str) -> Patron | None:
    """Resolve a scanned card to its patron, for services; reveals nothing by itself."""
    card = card.strip()
    return PATRON_BY_CARD.first(card=card) if card else None


def retired_card_reason(card: str) -> str:
    retired = RetiredCard.objects.filter(card_hash__in=_card_hashes(card)).first()
    return {"lost": "reported lost", "replaced": "replaced by a new card"}.get(
        retired.reason if retired else "", ""
    )


def patron_profile(access: Access) -> Patron:
    """The patron's record (name, card, category, contact) for this access."""
    access.read("patron.profile", "profile")
    return Patron.objects.select_related("home_branch").get(pk=access.patron_id)


def active_card_blocks(access: Access) -> list[CardBlock]:
    """The blocks self-check machines put on the card and nobody lifted yet, for the desk
    serving the patron: which terminal, when, its message, whether it kept the card. Read as
    the card, part of the patron's record (a kiosk's block names no item)."""
    access.read("patron.profile", "profile")
    return list(CardBlock.objects.filter(patron_id=access.patron_id, lifted_at__isnull=True))


def session_is_current(patron_id: int, stamp: str | None) -> bool:
    """Whether a web session signed in under `stamp` still stands: a lost card or a new PIN
    changes the patron's stamp and so ends every older session."""
    current = Patron.objects.filter(pk=patron_id).values_list("credential_stamp", flat=True)
    return stamp is not None and stamp in list(current)


def sign_in_locks(access: Access) -> list[lockout.LockState]:
    """Sign-in pauses on the patron's channels (current and recent), shown to the patron in
    their account and to staff serving them, who can lift one."""
    require(access.role, "patron.profile", "read", access.context)
    return lockout.locks_of(lockout.known("patron", access.patron_id))


def guardians_and_children(access: Access) -> tuple[list[Patron], list[Patron]]:
    """The family links shown on an account page (names only)."""
    access.read("patron.profile", "family")
    links = GuardianLink.objects.filter(
        Q(guardian_id=access.patron_id) | Q(child_id=access.patron_id)
    )
    links = links.select_related("guardian", "child")
    guardians = [link.guardian for link in links if link.child_id == access.patron_id]
    children = [link.child for link in links if link.guardian_id == access.patron_id]
    return guardians, children


def search_directory(staff, workstation, *, name: str = "", limit: int = 20) -> QuerySet[Patron]:
    """Find patrons by name at the desk. The search is audited (never its terms); opening one
    of the results still needs a serving context with a recorded identity check."""
    require(staff.role, "patron.directory", "search", Context.NONE)
    words = name.split()
    if not words:
        return Patron.objects.none()
    audit.record(Actor.staff(staff, workstation), "patron.search", object_type="directory")
    query = Patron.objects.select_related("home_branch")
    for word in words[:5]:
        query = query.filter(name__icontains=word)
    return query.order_by("name", "pk")[:limit]


# Every check-in asks it (the reading history is written only with consent): compiled once.
LATEST_CONSENT = Select(
    lambda patron, purpose: ConsentRecord.objects.filter(
        patron_id=patron, purpose=purpose
    ).order_by("-pk")[:1],
    patron=int,
    purpose=str,
)


def has_consented(patron_id: int, purpose: str) -> bool:
    """Whether the patron's latest choice for `purpose` is yes, for the services that keep
    something only with consent (check-in and the reading history); reveals nothing."""
    latest = LATEST_CONSENT.first(patron=patron_id, purpose=purpose)
    return latest is not None and latest.given


def consents(access: Access) -> dict[str, ConsentRecord | None]:
    """The patron's choice now for every purpose (None: never asked, which counts as no)."""
    access.read("patron.profile", "consents")
    latest: dict[str, ConsentRecord | None] = dict.fromkeys(ConsentPurpose.values)
    for record in ConsentRecord.objects.filter(patron_id=access.patron_id).order_by("pk"):
        latest[record.purpose] = record
    return latest
