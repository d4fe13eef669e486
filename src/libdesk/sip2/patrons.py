"""Who is at the kiosk: the card it scanned, and whether the patron proved their PIN. Until
they have (in this message, or earlier on this connection unless the terminal asks every
time), the kiosk learns whether the card is valid and nothing else (PRIVACY.md)."""

from __future__ import annotations

from dataclasses import dataclass

from libdesk.core import lockout
from libdesk.core.decisions import Decision, Refused
from libdesk.patrons.models import Patron
from libdesk.patrons.selectors import patron_by_card
from libdesk.patrons.services import SignInFailed, authenticate_patron
from libdesk.sip2.protocol import Message
from libdesk.sip2.session import KioskSession


@dataclass(frozen=True)
class AtKiosk:
    """The patron the message names (None for a card nobody has), whether the kiosk may act
    for them, whether a PIN was checked and how ("Y", "N" or None when none was sent), and
    why not when it may not."""

    patron: Patron | None
    verified: bool
    pin: str | None
    refusal: Decision | None = None

    @property
    def valid(self) -> bool:
        """A card that can be used: known, and not reported lost."""
        return self.patron is not None and self.patron.card_lost_at is None


def identify(session: KioskSession, message: Message) -> AtKiosk:
    terminal = session.terminal
    card = message.get("AA").strip()
    if "AD" in message.fields:
        return _check_pin(session, card, message.get("AD"))
    patron = patron_by_card(card) if card else None
    if patron is None:  # answered as a known card without its PIN: nothing tells them apart
        return AtKiosk(None, False, None, Decision.refuse("kiosk_pin_required"))
    if terminal.pin_not_required:
        if patron.card_lost_at is not None:
            return AtKiosk(patron, False, None, Decision.refuse("card_lost"))
        return AtKiosk(patron, True, None)
    if session.patron_id == patron.pk and not terminal.pin_every_time:
        return AtKiosk(patron, True, "Y")
    return AtKiosk(patron, False, None, Decision.refuse("kiosk_pin_required"))


def _check_pin(session: KioskSession, card: str, pin: str) -> AtKiosk:
    """An empty or wrong PIN never authenticates, counts towards the card's kiosk lock, and
    ends any earlier verification on this connection."""
    try:
        patron = authenticate_patron(card, pin, channel=lockout.KIOSK)
    except SignInFailed:
        session.forget_patron()
        return AtKiosk(_card(card), False, "N", Decision.refuse("kiosk_pin_wrong"))
    except Refused as locked:
        session.forget_patron()
        return AtKiosk(_card(card), False, "N", locked.decision)
    session.patron_id = patron.pk
    return AtKiosk(patron, True, "Y")


def _card(card: str) -> Patron | None:
    """The card's holder, for its validity only (what a kiosk is told without a PIN)."""
    return patron_by_card(card) if card else None
