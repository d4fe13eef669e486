"""What registering for a program answers and the clause behind each answer
(core/decisions.py), and the kind of data a look at the attendance list is
(audit/data_kinds.py), registered at import time."""

from django.utils.translation import gettext_lazy as _

from libdesk.audit import data_kinds
from libdesk.audit.reasons import register_codes
from libdesk.core.decisions import Reason, register

PURPOSE = "OP-02-01-01/purpose"
EQUAL_RESPECT = "OP-02-01-01/equal-respect"

REGISTRATION_DATA = data_kinds.register(
    "event_registrations", _("your registrations for library programs")
)
# What registering gave: a place, or a place in line.
register_codes("program registration status", ["registered", "waitlisted"])
# How a registration ended: its holder cancelled it, or declined a place that opened.
register_codes("program registration ended", ["cancelled", "declined", "event_cancelled"])
# Who ended it: the patron signed in, or the holder of the private cancel link.
register_codes("program registration ended by", ["own_account", "cancel_link"])

register(
    Reason(
        code="event_registered",
        clauses=(EQUAL_RESPECT,),
        reason=_("You are registered. We look forward to seeing you."),
        short_reason=_("Registered."),
        staff_reason=_("A place was free: the person is registered."),
        grant=True,
    )
)
register(
    Reason(
        code="event_waitlisted",
        clauses=(EQUAL_RESPECT,),
        reason=_(
            "This program is full, so you are on the waitlist, number {position} in line. "
            "Places are offered strictly in the order people joined: if someone cancels, "
            "the first in line is registered and told."
        ),
        short_reason=_("Full: on the waitlist, number {position}."),
        staff_reason=_(
            "No place was free: the person waits in line (number {position}), first come, "
            "first served."
        ),
        grant=True,
    )
)
register(
    Reason(
        code="event_in_the_past",
        clauses=(PURPOSE,),
        reason=_("This program has already started or taken place; registration is closed."),
        short_reason=_("This program has already started."),
        staff_reason=_("The event has started or ended: nobody can register or cancel now."),
    )
)
register(
    Reason(
        code="event_cancelled",
        clauses=(PURPOSE,),
        reason=_("This program has been cancelled. Look at the calendar for other programs."),
        short_reason=_("This program was cancelled."),
        staff_reason=_("The event was cancelled: registrations are closed."),
    )
)
register(
    Reason(
        code="event_no_registration",
        clauses=(PURPOSE,),
        reason=_("No registration is needed for this program: just come."),
        short_reason=_("No registration needed: just come."),
        staff_reason=_("The event does not take registrations; anyone may come."),
    )
)
register(
    Reason(
        code="event_already_registered",
        clauses=(EQUAL_RESPECT,),
        reason=_(
            "You already have a place (or a place in line) for this program: one per person, "
            "so that everyone has the same chance."
        ),
        short_reason=_("You are already registered for it."),
        staff_reason=_(
            "This person already holds a place or a place in line for the event (the same "
            "account, e-mail or phone): one per person."
        ),
    )
)
register(
    Reason(
        code="event_registration_ended",
        clauses=(EQUAL_RESPECT,),
        reason=_("This registration was already cancelled or declined."),
        short_reason=_("Already cancelled."),
        staff_reason=_("The registration had already ended; nothing changed."),
    )
)
register(
    Reason(
        code="event_capacity_below_registered",
        clauses=(EQUAL_RESPECT,),
        reason=_("The capacity cannot go below the number of people already registered."),
        short_reason=_("More people are registered than that."),
        staff_reason=_(
            "{registered} people are registered: a place once given is not taken back. "
            "Set the capacity to at least {registered}."
        ),
    )
)
