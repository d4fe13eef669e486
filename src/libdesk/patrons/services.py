"""State changes for patrons. Each is atomic, checks the access table, and writes its audit
entry (ids and codes, never the values changed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from libdesk.access.purposes import Access
from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock, lockout
from libdesk.core.errors import InputError
from libdesk.library.models import Branch
from libdesk.patrons.models import (
    CardBlock,
    Category,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    GuardianLink,
    Language,
    NoticeChannel,
    Patron,
    RetiredCard,
    new_stamp,
)
from libdesk.patrons.selectors import card_hash, is_retired_card, patron_by_card
from libdesk.policies.selectors import clause_in_force

CARD_PATTERN = re.compile(r"^[0-9A-Za-z]{5,20}$")
PIN_PATTERN = re.compile(r"[0-9]+")  # ASCII digits only: "١٢٣٤" is not a PIN


class PatronError(InputError):
    """Input a patron service cannot accept, naming the field."""


class SignInFailed(Exception):
    """Card or PIN not recognised. One message for every cause, so nothing is confirmed."""


@dataclass
class PatronDetails:
    name: str
    card_number: str
    category: str
    home_branch: str  # branch code
    card_expires: date
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    language: str = Language.ENGLISH
    birth_date: date | None = None  # seen at registration for a child, never stored
    pin: str = ""


def minor_until_for(birth_date: date) -> date:
    """The day a child reaches the guardian cutoff age; the birth date itself is dropped."""
    years = settings.LIBDESK["GUARDIAN_CUTOFF_AGE"]
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February
        return date(birth_date.year + years, 3, 1)


def register_patron(staff, workstation, details: PatronDetails) -> Patron:
    require(staff.role, "patron.profile", "create", Context.NONE)
    _check_details(details)
    with transaction.atomic():
        try:
            patron = Patron.objects.create(
                card_number=details.card_number.strip(),
                name=details.name.strip(),
                email=details.email.strip(),
                phone=details.phone.strip(),
                postal_address=details.postal_address.strip(),
                language=details.language,
                category=details.category,
                home_branch=_branch(details.home_branch),
                card_expires=details.card_expires,
                minor_until=minor_until_for(details.birth_date) if details.birth_date else None,
                pin_hash=make_password(details.pin) if details.pin else "",
                registered_at=clock.now(),
            )
        except IntegrityError as exc:
            raise PatronError("card_number", _("this card number is already in use")) from exc
        audit.record(
            Actor.staff(staff, workstation),
            "patron.register",
            object_type="patron",
            object_id=patron.pk,
            patron_id=patron.pk,
        )
    return patron


def _check_details(details: PatronDetails) -> None:
    if not details.name.strip():
        raise PatronError("name", _("a name is required"))
    _check_card_number(details.card_number)
    if details.category not in Category.values:
        raise PatronError("category", _("choose one of %s") % ", ".join(Category.values))
    if details.language not in Language.values:
        raise PatronError("language", _("choose en or fr"))
    _check_contact(details.email, details.phone, details.postal_address)
    if details.category == Category.CHILD and details.birth_date is None:
        raise PatronError(
            "birth_date", "a child's birth date is needed (only the guardian cutoff date is kept)"
        )
    if details.birth_date and details.birth_date > clock.today():
        raise PatronError("birth_date", _("the birth date is in the future"))
    if details.card_expires <= clock.today():
        raise PatronError("card_expires", _("the expiry date must be in the future"))
    if details.pin:
        check_pin_rules(details.pin)
    if patron_by_card(details.card_number) or is_retired_card(details.card_number):
        raise PatronError("card_number", _("this card number is already in use"))


def _check_card_number(card: str) -> None:
    if not CARD_PATTERN.match(card.strip()):
        raise PatronError("card_number", _("5 to 20 letters or digits"))


def _check_contact(email: str, phone: str, postal: str) -> None:
    if not (email.strip() or phone.strip() or postal.strip()):
        raise PatronError(
            "email", _("one way to reach the patron is needed: e-mail, phone or post")
        )
    if email.strip():
        try:
            validate_email(email.strip())
        except ValidationError as exc:
            raise PatronError("email", _("not a valid e-mail address")) from exc
    if phone.strip() and not re.fullmatch(r"[0-9+()\-. ]{7,40}", phone.strip()):
        raise PatronError("phone", _("not a valid phone number"))


def _branch(code: str) -> Branch:
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        raise PatronError("home_branch", _("no branch has the code %s") % repr(code))
    return branch


def check_pin_rules(pin: str, field: str = "pin") -> None:
    shortest = settings.LIBDESK["PIN_MIN_LENGTH"]
    if not PIN_PATTERN.fullmatch(pin) or not shortest <= len(pin) <= 12:
        raise PatronError(field, _("a PIN is %d to 12 digits (0-9)") % shortest)


def _change(access: Access, resource: str, action: str, mutate: Callable[[Patron], None]) -> Patron:
    """The shape of every change to a patron: check the access table, lock the row, change
    it, save, and audit (the action only, never the values), all in one transaction."""
    access.change(resource)
    with transaction.atomic():
        patron = Patron.objects.select_for_update().get(pk=access.patron_id)
        mutate(patron)
        patron.save()
        audit.record(
            access.actor, action, object_type="patron", object_id=patron.pk, patron_id=patron.pk
        )
    return patron


def update_patron(
    access: Access,
    *,
    name: str,
    category: str,
    home_branch: str,
    email: str,
    phone: str,
    postal_address: str,
    language: str,
) -> Patron:
    """Staff correct a patron's record in a serving context."""
    if not name.strip():
        raise PatronError("name", _("a name is required"))
    if category not in Category.values:
        raise PatronError("category", _("choose one of %s") % ", ".join(Category.values))
    _check_contact(email, phone, postal_address)
    _check_language(language)
    branch = _branch(home_branch)

    def mutate(patron: Patron) -> None:
        patron.name, patron.category, patron.home_branch = name.strip(), category, branch
        _set_contact(patron, email, phone, postal_address, language)

    return _change(access, "patron.profile", "patron.update", mutate)


def change_contact(
    access: Access, *, email: str, phone: str, postal_address: str, language: str
) -> Patron:
    """A patron (or staff serving them) changes contact details and preferred language."""
    _check_contact(email, phone, postal_address)
    _check_language(language)
    return _change(
        access,
        "patron.contact",
        "patron.contact.change",
        lambda patron: _set_contact(patron, email, phone, postal_address, language),
    )


# The notices a patron may choose to have no notice of: an overdue item is always told (by
# e-mail or on the staff's call list), the rest the patron can follow in their account.
NOTICES = ("hold_ready", "overdue", "events")
MAY_DECLINE = ("hold_ready", "events")


def notice_channels(patron: Patron, notice: str) -> list[str]:
    """The ways this patron can be sent this notice: e-mail with an address on record, the
    staff's phone call with a number on record, none where the library allows it."""
    channels = []
    if patron.email:
        channels.append(NoticeChannel.EMAIL)
    if patron.phone and notice != "events":  # the call list is for loans and holds
        channels.append(NoticeChannel.PHONE)
    if notice in MAY_DECLINE or not channels:
        channels.append(NoticeChannel.NONE)
    return channels


def change_notice_preferences(access: Access, choices: dict[str, str]) -> Patron:
    """How the patron wants hold-ready, overdue and event notices; each choice must be one of
    `notice_channels` for their contact details, else the field is named."""

    def apply(patron: Patron) -> None:
        for notice in NOTICES:
            channel = choices.get(notice, "")
            if channel not in notice_channels(patron, notice):
                raise PatronError(notice, _("This way of sending it is not available to you."))
            setattr(patron, f"notices_{notice}", channel)

    return _change(access, "patron.contact", "patron.notices.change", apply)


def _check_language(language: str) -> None:
    if language not in Language.values:
        raise PatronError("language", _("choose en or fr"))


def _set_contact(patron: Patron, email: str, phone: str, postal: str, language: str) -> None:
    patron.email, patron.phone = email.strip(), phone.strip()
    patron.postal_address, patron.language = postal.strip(), language


def renew_card(access: Access, new_expiry: date) -> Patron:
    if new_expiry <= clock.today():
        raise PatronError("card_expires", _("the new expiry date must be in the future"))
    return _change(
        access,
        "patron.card",
        "patron.card.renew",
        lambda patron: setattr(patron, "card_expires", new_expiry),
    )


def _end_sessions(patron: Patron) -> None:
    """Every web session and API token the patron has stops working (they carry the old
    stamp); a session that should go on is given the new stamp by its door."""
    patron.credential_stamp = new_stamp()


def report_lost_card(access: Access) -> Patron:
    """The card stops working at once everywhere (desk, web, kiosks) until it is replaced,
    and every session and token signed in with it ends."""

    def mutate(patron: Patron) -> None:
        patron.card_lost_at = clock.now()
        _end_sessions(patron)

    return _change(access, "patron.card", "patron.card.lost", mutate)


def replace_card(access: Access, new_card: str) -> Patron:
    """Issue a new card number; the old one is kept only as a hash, marked lost or replaced."""
    _check_card_number(new_card)
    new_card = new_card.strip()

    def mutate(patron: Patron) -> None:
        if new_card == patron.card_number or patron_by_card(new_card) or is_retired_card(new_card):
            raise PatronError("card_number", _("this card number is already in use"))
        RetiredCard.objects.create(
            patron=patron,
            card_hash=card_hash(patron.card_number),
            reason="lost" if patron.card_lost_at else "replaced",
            retired_at=clock.now(),
        )
        patron.card_number, patron.card_lost_at = new_card, None
        _end_sessions(patron)

    return _change(access, "patron.card", "patron.card.replace", mutate)


def reset_pin(access: Access, new_pin: str) -> None:
    """Staff set a new PIN for a patron they are serving (identity checked at the desk): it
    lifts any sign-in lock and ends the patron's other sessions and tokens."""
    check_pin_rules(new_pin)
    with transaction.atomic():
        _change(access, "patron.pin", "patron.pin.reset", _set_pin(new_pin))
        lockout.lift(lockout.known("patron", access.patron_id))


def change_own_pin(access: Access, current_pin: str, new_pin: str) -> Patron:
    """The patron changes their PIN. A wrong current PIN counts as a failed sign-in on the
    online channel (so the box cannot be guessed without limit); every other session and
    token ends, and the door gives the current session the new stamp."""
    access.change("patron.pin")
    patron = Patron.objects.get(pk=access.patron_id)
    subject = lockout.known("patron", patron.pk)
    if not lockout.check(subject, lockout.ONLINE, lambda: pin_matches(patron, current_pin)):
        raise PatronError("current_pin", _("the current PIN is not right"))
    check_pin_rules(new_pin, "new_pin")
    return _change(access, "patron.pin", "patron.pin.change", _set_pin(new_pin))


def _set_pin(pin: str) -> Callable[[Patron], None]:
    def mutate(patron: Patron) -> None:
        patron.pin_hash = make_password(pin)
        _end_sessions(patron)

    return mutate


def lift_sign_in_locks(access: Access) -> list[str]:
    """Staff serving the patron lift a sign-in lock early (the card is in their hand)."""
    access.change("patron.pin")
    with transaction.atomic():
        lifted = lockout.lift(lockout.known("patron", access.patron_id))
        if lifted:
            audit.record(
                access.actor,
                "patron.sign_in.unlock",
                object_type="patron",
                object_id=access.patron_id,
                patron_id=access.patron_id,
                reason=",".join(lifted),
            )
    return lifted


def link_guardian(access: Access, guardian_card: str) -> GuardianLink:
    """Record that the patron being served (a child) has this guardian."""
    access.change("patron.guardians")
    guardian = patron_by_card(guardian_card)
    if guardian is None:
        raise PatronError("guardian_card", _("no patron has this card"))
    with transaction.atomic():
        child = Patron.objects.select_for_update().get(pk=access.patron_id)
        if child.category != Category.CHILD or child.minor_until is None:
            raise PatronError("guardian_card", _("only a child's record can have a guardian"))
        if guardian.pk == child.pk:
            raise PatronError("guardian_card", _("a patron cannot be their own guardian"))
        link, created = GuardianLink.objects.get_or_create(
            guardian=guardian, child=child, defaults={"linked_at": clock.now()}
        )
        if created:
            audit.record(
                access.actor,
                "patron.guardian.link",
                object_type="patron",
                object_id=guardian.pk,
                patron_id=child.pk,
            )
    return link


def pin_matches(patron: Patron | None, pin: str) -> bool:
    """Whether `pin` is this patron's PIN. Always one PIN hash computed, whether or not the
    card exists, has a PIN or the PIN is empty or malformed: the time tells nothing."""
    if patron is None or not patron.pin_hash or not PIN_PATTERN.fullmatch(pin or ""):
        make_password(pin or "-")  # the same work as checking a real PIN
        return False
    return check_password(pin, patron.pin_hash)


def authenticate_patron(card: str, pin: str, channel: str = lockout.ONLINE) -> Patron:
    """Card and PIN sign-in. Raises SignInFailed, or Refused (429) while the channel is locked.

    A known card, an unknown one and a lost one answer alike, in status, code and time; a
    wrong or empty PIN counts towards the lock on this channel only, for unknown cards too
    (under a keyed hash of what was typed).
    """
    patron = patron_by_card(card) if CARD_PATTERN.match(card.strip()) else None
    subject = lockout.known("patron", patron.pk) if patron else lockout.unknown("card", card)

    def verify() -> bool:
        return pin_matches(patron, pin) and not patron.card_lost_at

    if not lockout.check(subject, channel, verify):
        raise SignInFailed
    with transaction.atomic():
        audit.record(
            Actor.patron(patron.pk),
            "patron.sign_in",
            object_type="patron",
            object_id=patron.pk,
            patron_id=patron.pk,
            reason=channel,
        )
    return patron


# --- Consent ------------------------------------------------------------------------------

# The clause each purpose is asked under; its policy's version in force is recorded with the
# answer, so a patron's consent can be read against the words they agreed to.
CONSENT_CLAUSES = {
    ConsentPurpose.READING_HISTORY: "OP-02-01-01/confidentiality-loans",
    ConsentPurpose.GUARDIAN_VISIBILITY: "OP-02-01-01/confidentiality-loans",
    ConsentPurpose.NEWSLETTERS: "OP-02-01-01/purpose",
}
# Who may give or withdraw each: the resource the purpose governs, changed in this context
# (the reading history for the first two, how the library contacts the patron for the third).
CONSENT_RESOURCES = {
    ConsentPurpose.READING_HISTORY: "patron.history",
    ConsentPurpose.GUARDIAN_VISIBILITY: "patron.history",
    ConsentPurpose.NEWSLETTERS: "patron.contact",
}

# What depends on a consent registers here (an app above patrons: circulation's reading
# history), and is removed in the transaction that withdraws it.
_on_withdrawn: dict[str, list[Callable[[int], object]]] = {}


def on_consent_withdrawn(purpose: str, forget: Callable[[int], object]) -> None:
    """Register `forget(patron_id)`, called when the patron withdraws consent for `purpose`."""
    hooks = _on_withdrawn.setdefault(purpose, [])
    if forget not in hooks:
        hooks.append(forget)


def _policy_version(purpose: str) -> str:
    clause = clause_in_force(CONSENT_CLAUSES[purpose])
    return f"{clause.policy.number} v{clause.policy.version}" if clause else ""


def set_consents(access: Access, choices: dict[str, bool], channel: str) -> list[ConsentRecord]:
    """Give or withdraw consent, purpose by purpose. Only a change is recorded (the same
    answer twice is one record); withdrawing removes what depended on the consent, in the
    same transaction. Answers the records added."""
    for purpose in choices:
        if purpose not in ConsentPurpose.values:
            raise PatronError(purpose, _("not a purpose libdesk asks consent for"))
        access.change(CONSENT_RESOURCES[purpose])
    if channel not in ConsentChannel.values:
        raise PatronError("channel", _("choose web, api or desk"))
    added = []
    with transaction.atomic():
        Patron.objects.select_for_update().get(pk=access.patron_id)
        for purpose, given in choices.items():
            record = _record_consent(access, purpose, bool(given), channel)
            if record is not None:
                added.append(record)
    return added


def _record_consent(access: Access, purpose: str, given: bool, channel: str):
    latest = (
        ConsentRecord.objects.filter(patron_id=access.patron_id, purpose=purpose)
        .order_by("-pk")
        .first()
    )
    if (latest.given if latest else False) == given:
        return None
    record = ConsentRecord.objects.create(
        patron_id=access.patron_id,
        purpose=purpose,
        given=given,
        policy_version=_policy_version(purpose),
        channel=channel,
        at=clock.now(),
    )
    if not given:
        for forget in _on_withdrawn.get(purpose, []):
            forget(access.patron_id)
    audit.record(
        access.actor,
        "patron.consent.give" if given else "patron.consent.withdraw",
        object_type="patron",
        object_id=access.patron_id,
        patron_id=access.patron_id,
        reason=purpose,
    )
    return record


# --- Closing the account -----------------------------------------------------------------

# Closing erases the contact details, ends every credential and deletes the reading history:
# whoever may change all three in their context may close the account (today, the patron
# signed in to it; never staff, and never a guardian).
CLOSING_RESOURCES = ("patron.contact", "patron.pin", "patron.history")


def may_close_account(access: Access) -> None:
    """Raise AccessDenied unless this access may close the patron's account."""
    for resource in CLOSING_RESOURCES:
        access.change(resource)


def start_closing(access: Access) -> Patron:
    """The first step of closing an account, inside the closing transaction: lock the record,
    end every web session and API token signed in with it (the credential stamp), and audit
    it. The rights app then applies each kind of patron data's closing rule, the record's own
    (deleted) last; if anything refuses, the transaction rolls all of it back."""
    may_close_account(access)
    patron = Patron.objects.select_for_update().get(pk=access.patron_id)
    _end_sessions(patron)
    patron.save(update_fields=["credential_stamp"])
    audit.record(
        access.actor, "patron.close", object_type="patron", object_id=patron.pk, patron_id=patron.pk
    )
    return patron


# --- Blocks from self-check kiosks --------------------------------------------------------


def block_card(actor: Actor, patron_id: int, *, terminal: str, message: str, retained: bool):
    """A kiosk blocks the card it has in hand (SIP2 01): borrowing stops until staff lift the
    block. Not a read of the account: the kiosk learns nothing from it."""
    with transaction.atomic():
        patron = Patron.objects.select_for_update().get(pk=patron_id)
        block = CardBlock.objects.create(
            patron=patron,
            terminal=terminal[:40],
            message=message.strip()[:200],
            card_retained=retained,
            blocked_at=clock.now(),
        )
        audit.record(
            actor,
            "patron.card.block",
            object_type="patron",
            object_id=patron.pk,
            patron_id=patron.pk,
        )
    return block


def lift_card_blocks(access: Access, lifted_by: str) -> int:
    """Staff serving the patron (or a kiosk allowed to send 25) lift every block on the card;
    how many were lifted."""
    lifted: list[int] = []

    def mutate(patron: Patron) -> None:
        blocks = CardBlock.objects.filter(patron=patron, lifted_at__isnull=True)
        lifted.append(blocks.update(lifted_at=clock.now(), lifted_by=lifted_by[:60]))

    _change(access, "patron.card", "patron.card.unblock", mutate)
    return lifted[0]


def enable_card_at_kiosk(actor: Actor, patron_id: int, *, terminal: str) -> int:
    """A kiosk allowed to send SIP2 25 lifts the blocks on a card whose PIN it just checked;
    how many were lifted."""
    with transaction.atomic():
        patron = Patron.objects.select_for_update().get(pk=patron_id)
        lifted = CardBlock.objects.filter(patron=patron, lifted_at__isnull=True).update(
            lifted_at=clock.now(), lifted_by=f"terminal {terminal}"[:60]
        )
        if lifted:
            audit.record(
                actor,
                "patron.card.unblock",
                object_type="patron",
                object_id=patron.pk,
                patron_id=patron.pk,
            )
    return lifted
