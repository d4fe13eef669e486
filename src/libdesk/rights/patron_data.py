"""Patron data registered here (core/patron_data.py): the rights app's own correction
requests, and two kinds kept by apps below that hold no registrations of their own (serving
contexts, in privacy; audit entries naming the patron, in audit). Imported by RightsConfig."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import Role
from libdesk.audit import services as audit
from libdesk.audit.models import ActorKind, AuditEntry
from libdesk.core import clock
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register
from libdesk.library.selectors import branch_name_of
from libdesk.privacy.models import Basis, ServingContext
from libdesk.rights.models import CorrectionRequest

# What an audit entry says, in words; an action not listed here shows its code.
ACTIONS = {
    "patron.register": _("your account was opened"),
    "patron.update": _("staff changed your record"),
    "patron.contact.change": _("your contact details or language were changed"),
    "patron.notices.change": _("you changed how the library sends you notices"),
    "patron.lists.change": _("you changed one of your saved lists"),
    "patron.card.renew": _("your card was renewed"),
    "patron.card.lost": _("your card was reported lost"),
    "patron.card.replace": _("you were given a new card"),
    "patron.card.block": _("a self-check machine blocked your card"),
    "patron.card.unblock": _("the block on your card was lifted"),
    "patron.note.add": _("staff left a note on your account"),
    "patron.note.clear": _("staff cleared a note on your account"),
    "patron.pin.reset": _("staff set a new PIN"),
    "patron.pin.change": _("you changed your PIN"),
    "patron.sign_in": _("you signed in"),
    "patron.sign_in.unlock": _("staff lifted a sign-in pause"),
    "patron.guardian.link": _("a parent or guardian was linked"),
    "patron.consent.give": _("you said yes to a purpose"),
    "patron.consent.withdraw": _("you said no to a purpose"),
    "patron.history.delete": _("you deleted your reading history"),
    "patron.export": _("you downloaded your data"),
    "patron.correction.ask": _("you asked for a correction"),
    "patron.correction.done": _("staff handled your correction request"),
    "patron.close": _("you closed your account"),
    "patron.read": _("staff looked at your record"),
    "patron.read.guardian": _("your guardian was shown your account at the desk"),
    "serving.open": _("staff opened your account at the desk"),
    "reference.read": _("a librarian read your question"),
    "token.issue": _("an app signed in with your card"),
    "outreach.contact.change": _("staff changed your organization's contact person"),
}


def _role(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _audit_entry(entry: AuditEntry, patron_id: int) -> dict:
    """When and what, by whom as a role and branch only (no member of staff by name or id,
    no workstation); the patron's own acts say "you"."""
    who = {
        ActorKind.PATRON: _("you"),
        ActorKind.GUARDIAN: _("your guardian"),
        ActorKind.SYSTEM: _("the library's system"),
        ActorKind.TERMINAL: _("a self-check kiosk"),
        ActorKind.PUBLIC: _("an anonymous visitor"),
    }.get(entry.actor_kind)
    return {
        "at": entry.at,
        "what": str(ACTIONS.get(entry.action, entry.action)),
        "kind_of_data": entry.data_kind,
        "by": str(who) if who is not None else _role(entry.actor_role),
        "branch": entry.branch_name or entry.branch,
    }


def _serving(context: ServingContext, patron_id: int) -> dict:
    """A time staff served the patron (or served them as a guardian), by role and branch."""
    about = (
        _("a child's account, shown to you as their guardian")
        if context.guardian_id == patron_id
        else _("your account")
    )
    return {
        "about": str(about),
        "opened_at": context.opened_at,
        "ended_at": context.ended_at,
        "how_identity_was_checked": str(Basis(context.basis).label),
        "by": _role(context.staff.role),
        "branch": context.workstation.branch.name,
    }


def _correction(correction: CorrectionRequest, patron_id: int) -> dict:
    return {"you_asked": correction.text, "asked_at": correction.asked_at}


def purge_serving_contexts() -> int:
    """Serving contexts unused for SERVING_CONTEXT_RETENTION_DAYS (long ended: one ends after
    minutes idle); the audit log keeps that the account was opened, by id."""
    days = settings.LIBDESK["SERVING_CONTEXT_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    return ServingContext.objects.filter(last_used_at__lt=cutoff).delete()[0]


register(
    PatronDataKind(
        name="rights.correction_requests",
        label=_("Correction requests"),
        model=CorrectionRequest,
        resource="patron.profile",
        rows=lambda pid: CorrectionRequest.objects.filter(patron_id=pid),
        export_row=_correction,
        closing=Closing.DELETE,
        closing_text=_("Deleted."),
        retention=Retention(_("Kept until staff handle it, then deleted.")),
    )
)
register(
    PatronDataKind(
        name="privacy.serving_contexts",
        label=_("Times staff served you at a desk"),
        model=ServingContext,
        resource="patron.access_log",
        rows=lambda pid: ServingContext.objects.filter(
            Q(patron_id=pid) | Q(guardian_id=pid)
        ).select_related("staff", "workstation__branch"),
        export_row=_serving,
        closing=Closing.DELETE,
        closing_text=_("Deleted."),
        retention=Retention(
            _("Deleted after the retention period."),
            setting="SERVING_CONTEXT_RETENTION_DAYS",
            purge=purge_serving_contexts,
        ),
    )
)
register(
    PatronDataKind(
        name="audit.entries",
        label=_("The library's record of who looked at or changed your account"),
        model=AuditEntry,
        resource="patron.access_log",
        rows=lambda pid: (
            AuditEntry.objects.filter(patron_id=pid)
            .order_by("seq")
            .annotate(branch_name=branch_name_of("branch"))
        ),
        export_row=_audit_entry,
        closing=Closing.KEEP,
        closing_text=_(
            "Kept until its retention period ends: it holds only numbers (no "
            "name, card or contact details), and no entry can be changed."
        ),
        retention=Retention(
            _("Deleted after the audit log's retention period."),
            setting="AUDIT_RETENTION_DAYS",
            purge=audit.prune,
        ),
    )
)
