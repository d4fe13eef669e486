"""Programs' patron data (core/patron_data.py): the registrations a patron made with their
account. Registrations made with a name and a contact name no patron by link; the purge
deletes them with the others. Imported by ProgramsConfig."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register
from libdesk.programs.models import Registration, Status
from libdesk.programs.services import close_account, purge_past_registrations


def _registration(registration: Registration, patron_id: int) -> dict:
    """The program, when and where, and what became of the registration (never who
    organized it, nor anyone else registered)."""
    event = registration.event
    return {
        "program": event.title_en,
        "starts_at": event.starts_at,
        "branch": event.branch.name,
        "room": event.room,
        "status": str(Status(registration.status).label),
        "joined_at": registration.joined_at,
        "given_a_place_from_the_waitlist_at": registration.promoted_at,
        "ended_at": registration.ended_at,
    }


register(
    PatronDataKind(
        name="programs.registrations",
        label=_("Your registrations for library programs"),
        model=Registration,
        resource="event_registration",
        rows=lambda pid: Registration.objects.filter(patron_id=pid).select_related("event__branch"),
        export_row=_registration,
        closing=Closing.DELETE,
        closing_text=_(
            "Deleted; a place you hold at an upcoming program is given to the next person in "
            "line first."
        ),
        close=close_account,
        retention=Retention(
            _(
                "Kept until a set time after the program ends, then deleted (the program keeps "
                "only how many people registered)."
            ),
            setting="EVENT_CONTACT_RETENTION_DAYS",
            purge=purge_past_registrations,
        ),
    )
)
