"""Notes on a patron's account that staff leave for whoever serves the patron next.

A note is part of the patron's record (resource "patron.profile"): staff read it only while
serving the patron (an audited read, kind "notes"), write and clear it in the same context,
and the patron sees it in their export. Clearing deletes it; one nobody cleared is deleted by
the purge PATRON_NOTE_RETENTION_DAYS after it was written (patrons/patron_data.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libdesk.access.purposes import Access
from libdesk.audit import data_kinds
from libdesk.audit import services as audit
from libdesk.core import clock
from libdesk.core.bounds import parse_id
from libdesk.core.errors import InputError
from libdesk.patrons.models import Patron, PatronNote

NOTE_LIMIT = 500
NOTES = data_kinds.register("notes", gettext_lazy("notes staff left on your account"))


class NoteError(InputError):
    """A note that cannot be kept as written, naming the field."""


def notes_for(access: Access) -> list[PatronNote]:
    """The notes on the account of the patron served, oldest first (an audited read)."""
    access.read("patron.profile", NOTES.code)
    return list(PatronNote.objects.filter(patron_id=access.patron_id))


def add_note(access: Access, text: str) -> PatronNote:
    """Leave a note for the next member of staff who serves the patron. The audit entry
    names the note by id; its words stay in the note."""
    access.change("patron.profile")
    text = " ".join(text.split())
    if not text:
        raise NoteError("text", _("Write the note."))
    if len(text) > NOTE_LIMIT:
        raise NoteError("text", _("Keep the note under %(n)s characters.") % {"n": NOTE_LIMIT})
    with transaction.atomic():
        patron = Patron.objects.select_for_update().get(pk=access.patron_id)
        note = PatronNote.objects.create(
            patron=patron,
            text=text,
            written_at=clock.now(),
            author_role=access.actor.role,
            branch=access.actor.branch,
        )
        audit.record(
            access.actor,
            "patron.note.add",
            object_type="note",
            object_id=note.pk,
            patron_id=patron.pk,
        )
    return note


def clear_note(access: Access, note_id) -> None:
    """Clear (delete) one of the served patron's notes; another patron's note, or one already
    cleared, is not found (InputError), the same answer for both."""
    access.change("patron.profile")
    with transaction.atomic():
        note = (
            PatronNote.objects.select_for_update()
            .filter(pk=parse_id(note_id) or 0, patron_id=access.patron_id)
            .first()
        )
        if note is None:
            raise NoteError("note_id", _("This note is no longer on the account."))
        pk = note.pk
        note.delete()
        audit.record(
            access.actor,
            "patron.note.clear",
            object_type="note",
            object_id=pk,
            patron_id=access.patron_id,
        )
