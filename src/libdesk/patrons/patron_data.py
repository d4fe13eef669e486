"""The patron data the patrons app keeps, registered with the registry (core/patron_data.py):
the record itself, retired cards, guardian links, consent records, sign-in pauses, and the
blocks self-check machines put on cards."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Role
from libdesk.core import clock, lockout
from libdesk.core.models import SignInLock
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register
from libdesk.library.selectors import branch_name_of
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
    PatronNote,
    RetiredCard,
)

WHILE_OPEN = _("Kept while your account is open.")
DELETED = _("Deleted.")


def _record(patron: Patron, patron_id: int) -> dict:
    """The record as the patron knows it; never the PIN's hash or the credential stamp."""
    return {
        "card_number": patron.card_number,
        "name": patron.name,
        "email": patron.email,
        "phone": patron.phone,
        "postal_address": patron.postal_address,
        "preferred_language": str(Language(patron.language).label),
        "category": str(Category(patron.category).label),
        "home_branch": patron.home_branch.name,
        "card_valid_until": patron.card_expires,
        "card_reported_lost_at": patron.card_lost_at,
        "guardian_exception_ends": patron.minor_until,
        "has_a_pin": bool(patron.pin_hash),
        "registered_at": patron.registered_at,
        "notices_of_holds_ready": str(NoticeChannel(patron.notices_hold_ready).label),
        "notices_of_overdue_items": str(NoticeChannel(patron.notices_overdue).label),
        "notices_of_events": str(NoticeChannel(patron.notices_events).label),
    }


def _retired_card(card: RetiredCard, patron_id: int) -> dict:
    """An old card: why and when it stopped working (its number is kept only as a hash)."""
    reason = _("reported lost") if card.reason == "lost" else _("replaced by a new card")
    return {"stopped_working_at": card.retired_at, "why": str(reason)}


def _guardian_link(link: GuardianLink, patron_id: int) -> dict:
    """A family link, read from the patron's side. A guardian sees the child's name, as their
    account shows it; a child is told that a parent or guardian is linked, not who."""
    if link.guardian_id == patron_id:
        return {
            "linked_since": link.linked_at,
            "link": str(_("you are the guardian of this child")),
            "child": link.child.name,
        }
    return {
        "linked_since": link.linked_at,
        "link": str(_("a parent or guardian is linked to your account")),
    }


def _consent(record: ConsentRecord, patron_id: int) -> dict:
    return {
        "purpose": str(ConsentPurpose(record.purpose).label),
        "answer": str(_("yes") if record.given else _("no")),
        "policy_version": record.policy_version,
        "how": str(ConsentChannel(record.channel).label),
        "at": record.at,
    }


def _sign_in_lock(lock: SignInLock, patron_id: int) -> dict:
    channel = _("web and apps") if lock.channel == lockout.ONLINE else _("self-check kiosks")
    return {
        "where": str(channel),
        "wrong_pins_counted": lock.failures,
        "paused_at": lock.locked_at,
        "paused_until": lock.locked_until,
        "pause_lifted_by_staff_at": lock.lifted_at,
    }


def _locks(patron_id: int):
    return SignInLock.objects.filter(subject=lockout.known("patron", patron_id))


def purge_ended_locks() -> int:
    """Sign-in pauses whose window and pause have both run out (lockout also deletes them
    when it next counts a failure; this reaches the ones nobody counted against since)."""
    ended = SignInLock.objects.filter(subject__startswith="patron:", expires_at__lte=clock.now())
    return ended.delete()[0]


def _card_block(block: CardBlock, patron_id: int) -> dict:
    """A kiosk's block, with the machine's own message; who lifted it only as staff or a
    machine (never which member of staff)."""
    lifted_by = ""
    if block.lifted_at is not None:
        by_staff = block.lifted_by.startswith("staff")
        lifted_by = str(_("library staff") if by_staff else _("a self-check machine"))
    return {
        "self_check_machine": block.terminal,
        "blocked_at": block.blocked_at,
        "message_from_the_machine": block.message,
        "card_kept_by_the_machine": block.card_retained,
        "lifted_at": block.lifted_at,
        "lifted_by": lifted_by,
    }


def purge_lifted_card_blocks() -> int:
    """Blocks lifted more than CARD_BLOCK_RETENTION_DAYS ago; a block still in force stays."""
    days = settings.LIBDESK["CARD_BLOCK_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    return CardBlock.objects.filter(lifted_at__lte=cutoff).delete()[0]


def _note(note: PatronNote, patron_id: int) -> dict:
    """A note staff left on the account, with who wrote it as a role and a branch only."""
    role = str(Role(note.author_role).label) if note.author_role in Role.values else ""
    return {
        "note": note.text,
        "written_at": note.written_at,
        "written_by": role,
        "branch": note.branch_name or note.branch,
    }


def purge_old_notes() -> int:
    """Notes written more than PATRON_NOTE_RETENTION_DAYS ago that nobody cleared."""
    cutoff = clock.now() - timedelta(days=settings.LIBDESK["PATRON_NOTE_RETENTION_DAYS"])
    return PatronNote.objects.filter(written_at__lte=cutoff).delete()[0]


def register_all() -> None:
    register(
        PatronDataKind(
            name="patrons.record",
            label=_("Your record"),
            model=Patron,
            resource="patron.profile",
            rows=lambda pid: Patron.objects.filter(pk=pid).select_related("home_branch"),
            export_row=_record,
            closing=Closing.DELETE,
            closing_text=_("Deleted: your name, contact details, card and PIN."),
            retention=Retention(WHILE_OPEN),
            order=100,  # last: every other kind closes first
        )
    )
    register(
        PatronDataKind(
            name="patrons.retired_cards",
            label=_("Cards that no longer work"),
            model=RetiredCard,
            resource="patron.profile",
            rows=lambda pid: RetiredCard.objects.filter(patron_id=pid),
            export_row=_retired_card,
            closing=Closing.DELETE,
            closing_text=DELETED,
            retention=Retention(
                _("Kept while your account is open, so an old card is recognised if found.")
            ),
        )
    )
    register(
        PatronDataKind(
            name="patrons.guardian_links",
            label=_("Family links (parent or guardian)"),
            model=GuardianLink,
            resource="patron.profile",
            rows=lambda pid: GuardianLink.objects.filter(
                Q(guardian_id=pid) | Q(child_id=pid)
            ).select_related("child"),
            export_row=_guardian_link,
            closing=Closing.DELETE,
            closing_text=_("Deleted: the link between your account and the other account."),
            retention=Retention(WHILE_OPEN),
        )
    )
    register(
        PatronDataKind(
            name="patrons.consents",
            label=_("Your consent choices"),
            model=ConsentRecord,
            resource="patron.profile",
            rows=lambda pid: ConsentRecord.objects.filter(patron_id=pid).order_by("pk"),
            export_row=_consent,
            closing=Closing.DELETE,
            closing_text=DELETED,
            retention=Retention(
                _("Kept while your account is open: each time you said yes or no.")
            ),
        )
    )
    register(
        PatronDataKind(
            name="patrons.card_blocks",
            label=_("Blocks a self-check machine put on your card"),
            model=CardBlock,
            resource="patron.profile",
            rows=lambda pid: CardBlock.objects.filter(patron_id=pid),
            export_row=_card_block,
            closing=Closing.DELETE,
            closing_text=DELETED,
            retention=Retention(
                _(
                    "Kept while the block stands, so staff can lift it; deleted after the "
                    "retention period once it is lifted."
                ),
                setting="CARD_BLOCK_RETENTION_DAYS",
                purge=purge_lifted_card_blocks,
            ),
        )
    )
    register(
        PatronDataKind(
            name="patrons.sign_in_pauses",
            label=_("Sign-in pauses after wrong PINs"),
            model=SignInLock,
            resource="patron.profile",
            rows=_locks,
            export_row=_sign_in_lock,
            closing=Closing.DELETE,
            closing_text=DELETED,
            retention=Retention(
                _(
                    "Deleted once the pause and its counting window are over (a past pause "
                    "stays visible for a while)."
                ),
                setting="LOCKOUT_MINUTES",
                purge=purge_ended_locks,
            ),
        )
    )
    register(
        PatronDataKind(
            name="patrons.notes",
            label=_("Notes staff left on your account"),
            model=PatronNote,
            resource="patron.profile",
            rows=lambda pid: PatronNote.objects.filter(patron_id=pid).annotate(
                branch_name=branch_name_of("branch")
            ),
            export_row=_note,
            closing=Closing.DELETE,
            closing_text=DELETED,
            retention=Retention(
                _(
                    "Kept until staff clear the note, and deleted after the retention period "
                    "if nobody does."
                ),
                setting="PATRON_NOTE_RETENTION_DAYS",
                purge=purge_old_notes,
            ),
        )
    )
