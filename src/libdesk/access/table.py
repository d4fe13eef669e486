"""The access table: role x resource x action x context -> allowed. Nothing else decides.

Services and selectors consult it before they touch patron data; templates never do the
deciding. Every cell not listed here is denied, and the tests walk the whole table.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import product

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Everyone the table knows, defined once: the five staff roles (a staff account holds one
    of `STAFF_ROLES`), and a patron, a guardian and the public."""

    CLERK = "clerk", _("Circulation clerk")
    LIBRARIAN = "librarian", _("Librarian")
    HEAD_LIBRARIAN = "head_librarian", _("Head Librarian")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    PATRON = "patron", _("Patron")
    GUARDIAN = "guardian", _("Guardian")
    PUBLIC = "public", _("The public")


STAFF_ROLES = (
    Role.CLERK,
    Role.LIBRARIAN,
    Role.HEAD_LIBRARIAN,
    Role.PRIVACY_OFFICER,
    Role.ADMINISTRATOR,
)
STAFF_ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]
# The roles that serve patrons at the desk (lend, hold, open accounts).
DESK_ROLES = (Role.CLERK, Role.LIBRARIAN, Role.HEAD_LIBRARIAN)
# The roles that answer reference questions (PRIVACY.md: only librarians see them).
REFERENCE_ROLES = (Role.LIBRARIAN, Role.HEAD_LIBRARIAN)
# The roles that write the library's news and send its newsletter (outreach).
OUTREACH_ROLES = (Role.LIBRARIAN, Role.HEAD_LIBRARIAN)
# The roles that organize programs (an event's organizer holds one of them).
ORGANIZER_ROLES = DESK_ROLES


class Context(StrEnum):
    NONE = "none"  # no particular patron
    SERVING = "serving"  # a serving context opened on the card or a recorded identity check
    GUARDIAN_AT_DESK = "guardian_at_desk"  # a serving context opened for a linked guardian
    SELF = "self"  # the patron's own sign-in
    GUARDIAN = "guardian"  # a guardian signed in to their own account, looking at a child
    SHARED = "shared"  # a policy question the Head Librarian shared with this librarian
    CALL_LIST = "call_list"  # the daily list of patrons to phone or write to about notices
    CLAIMED = "claimed"  # a reference question this librarian claimed (is answering)
    # The signed unsubscribe link in a newsletter: the token names the recipient, for one
    # change only (outreach.services.unsubscribe withdraws the newsletter consent).
    NEWSLETTER_LINK = "newsletter_link"
    ORGANIZER = "organizer"  # a program this member of staff organizes
    CANCEL_LINK = "cancel_link"  # the holder of a registration's private cancel link


RESOURCES = (
    "patron.profile",
    "patron.contact",
    "patron.loans",
    "patron.holds",
    "patron.fees",
    "patron.requests",
    "patron.history",
    "patron.access_log",
    "patron.lists",
    "patron.card",
    "patron.pin",
    "patron.guardians",
    "patron.directory",
    "serving_context",
    "loan.borrower",
    "policy_question",
    "reference_queue",
    "reference_question",
    "reference_figures",
    "reference_directory",
    "feedback_comment",
    "feedback_figures",
    "audit_log",
    "staff_accounts",
    "disclosure_request",
    "disclosure_register",
    "kiosk_terminals",
    "outreach.announcements",
    "outreach.newsletters",
    "event",
    "event_attendance",
    "event_registration",
)
ACTIONS = ("read", "create", "change", "search", "answer", "share")

ACCOUNT = (
    "patron.profile",
    "patron.contact",
    "patron.loans",
    "patron.holds",
    "patron.fees",
    "patron.requests",
)
CHILD_ACCOUNT = ("patron.profile", "patron.loans", "patron.holds", "patron.fees")
# Lending, holds, fees and requests change at the desk for the patron served; patrons renew,
# hold and ask for themselves (fees are paid or waived at the desk only).
CIRCULATION = ("patron.loans", "patron.holds", "patron.fees", "patron.requests")
SELF_SERVICE = ("patron.loans", "patron.holds", "patron.requests")


def _cells(roles, resources, actions, contexts) -> set[tuple[str, str, str, str]]:
    return set(product(roles, resources, actions, contexts))


ALLOWED: frozenset[tuple[str, str, str, str]] = frozenset(
    # At the desk, a patron's account opens only in a serving context.
    _cells(DESK_ROLES, ACCOUNT, ["read"], [Context.SERVING])
    | _cells(
        DESK_ROLES,
        [
            "patron.profile",
            "patron.contact",
            "patron.card",
            "patron.pin",
            "patron.guardians",
            *CIRCULATION,
        ],
        ["change"],
        [Context.SERVING],
    )
    # A linked guardian at the desk learns the child's loans, holds and fees, nothing else.
    | _cells(DESK_ROLES, CHILD_ACCOUNT, ["read"], [Context.GUARDIAN_AT_DESK])
    | _cells(DESK_ROLES, ["patron.profile"], ["create"], [Context.NONE])
    | _cells(DESK_ROLES, ["patron.directory"], ["search"], [Context.NONE])
    | _cells(DESK_ROLES, ["serving_context"], ["create"], [Context.NONE])
    # Who has an item now: only with a stated reason, audited twice (circulation.disclosure).
    | _cells(DESK_ROLES, ["loan.borrower"], ["read"], [Context.NONE])
    # Notices for patrons without e-mail: staff read the contact, never the titles.
    | _cells(DESK_ROLES, ["patron.contact"], ["read"], [Context.CALL_LIST])
    # Patrons see and manage only their own account.
    | _cells(
        [Role.PATRON], [*ACCOUNT, "patron.history", "patron.access_log"], ["read"], [Context.SELF]
    )
    | _cells(
        [Role.PATRON],
        ["patron.contact", "patron.pin", "patron.history", *SELF_SERVICE],
        ["change"],
        [Context.SELF],
    )
    # Saved lists are the patron's own, made and seen only by them (never by staff).
    | _cells([Role.PATRON], ["patron.lists"], ["read", "create", "change"], [Context.SELF])
    # Online, the guardian's own sign-in is the ID.
    | _cells([Role.GUARDIAN], CHILD_ACCOUNT, ["read"], [Context.GUARDIAN])
    # The child's reading history too, online only, and only when the child chose so
    # (circulation.reading_history checks that consent; never at the desk, never staff).
    | _cells([Role.GUARDIAN], ["patron.history"], ["read"], [Context.GUARDIAN])
    # "Why does this policy exist?" questions: the Head Librarian, and librarians they share with.
    | _cells([Role.PUBLIC, Role.PATRON], ["policy_question"], ["create"], [Context.NONE])
    | _cells(
        [Role.HEAD_LIBRARIAN], ["policy_question"], ["read", "answer", "share"], [Context.NONE]
    )
    | _cells([Role.LIBRARIAN], ["policy_question"], ["read", "answer"], [Context.SHARED])
    # Ask a librarian: anyone asks (the desk on a caller's behalf); librarians see the queue by
    # channel, topic and age and claim from it; only the librarian who claimed a question, and
    # those they shared it with to help answer it, read its text; the claimer answers, shares
    # and closes it. A patron reads the questions they linked to their account. The Head
    # Librarian reads the board's figures, which name nobody.
    | _cells(
        [Role.PUBLIC, Role.PATRON, *DESK_ROLES], ["reference_question"], ["create"], [Context.NONE]
    )
    | _cells(REFERENCE_ROLES, ["reference_queue"], ["read", "change"], [Context.NONE])
    | _cells(REFERENCE_ROLES, ["reference_question"], ["read"], [Context.CLAIMED, Context.SHARED])
    | _cells(
        REFERENCE_ROLES, ["reference_question"], ["answer", "share", "change"], [Context.CLAIMED]
    )
    | _cells([Role.PATRON], ["reference_question"], ["read"], [Context.SELF])
    | _cells([Role.HEAD_LIBRARIAN], ["reference_figures"], ["read"], [Context.NONE])
    # The consumer-information directory names no patron: the librarians who point people
    # to it curate it (every desk role reads it, as its page and the API do).
    | _cells(REFERENCE_ROLES, ["reference_directory"], ["change"], [Context.NONE])
    # Comments on the library's service: anyone leaves one, a signed-in patron may sign it
    # and reads their own; librarians and the Head Librarian triage and answer them (a
    # signed comment's page names its patron: audited); the Head Librarian reads the
    # board's figures, which name nobody.
    | _cells([Role.PUBLIC, Role.PATRON], ["feedback_comment"], ["create"], [Context.NONE])
    | _cells([Role.PATRON], ["feedback_comment"], ["read"], [Context.SELF])
    | _cells(REFERENCE_ROLES, ["feedback_comment"], ["read", "change", "answer"], [Context.NONE])
    | _cells([Role.HEAD_LIBRARIAN], ["feedback_figures"], ["read"], [Context.NONE])
    # Only the privacy officer reads the whole audit log.
    | _cells([Role.PRIVACY_OFFICER], ["audit_log"], ["read"], [Context.NONE])
    # Someone asks about another person: the desk (or the privacy officer, by letter) records
    # the request and refuses; only the privacy officer reads the register and decides. Nobody
    # changes an entry: no cell lets anyone "change" it.
    | _cells(
        [*DESK_ROLES, Role.PRIVACY_OFFICER], ["disclosure_request"], ["create"], [Context.NONE]
    )
    | _cells([Role.PRIVACY_OFFICER], ["disclosure_request"], ["answer"], [Context.NONE])
    | _cells([Role.PRIVACY_OFFICER], ["disclosure_register"], ["read"], [Context.NONE])
    | _cells([Role.ADMINISTRATOR], ["staff_accounts"], ["read", "create", "change"], [Context.NONE])
    # Self-check terminals (SIP2 logins) are set up by administrators; they name no patron.
    | _cells(
        [Role.ADMINISTRATOR], ["kiosk_terminals"], ["read", "create", "change"], [Context.NONE]
    )
    # Outreach: librarians write the news and compose and send the newsletter (which names
    # nobody; the sending task alone reads the recipients' addresses). The newsletter's
    # unsubscribe link changes how the library contacts its recipient, and only that: the
    # one service that builds this context withdraws the newsletter consent.
    | _cells(
        OUTREACH_ROLES,
        ["outreach.announcements", "outreach.newsletters"],
        ["read", "create", "change"],
        [Context.NONE],
    )
    | _cells([Role.PATRON], ["patron.contact"], ["change"], [Context.NEWSLETTER_LINK])
    # Programs: staff who organize them and administrators create them; the organizer edits
    # their own, the Head Librarian and administrators any. Who registered is seen only by
    # the event's organizer (never another member of staff). Anyone registers (a patron with
    # their account); a patron sees and cancels their own; whoever holds a registration's
    # private cancel link sees its status and cancels it.
    | _cells([*ORGANIZER_ROLES, Role.ADMINISTRATOR], ["event"], ["create"], [Context.NONE])
    | _cells(ORGANIZER_ROLES, ["event"], ["change"], [Context.ORGANIZER])
    | _cells([Role.HEAD_LIBRARIAN, Role.ADMINISTRATOR], ["event"], ["change"], [Context.NONE])
    | _cells(ORGANIZER_ROLES, ["event_attendance"], ["read"], [Context.ORGANIZER])
    | _cells([Role.PUBLIC], ["event_registration"], ["create"], [Context.NONE])
    | _cells([Role.PATRON], ["event_registration"], ["create", "read", "change"], [Context.SELF])
    | _cells([Role.PUBLIC], ["event_registration"], ["read", "change"], [Context.CANCEL_LINK])
)


ROLE_NOT_PERMITTED = "role_not_permitted"  # no context lets this role do it
CONTEXT_NOT_PERMITTED = "context_not_permitted"  # the role may, but not in this context


class AccessDenied(PermissionDenied):
    """The caller may not do this. Doors answer 403 with the code (Django's PermissionDenied,
    so a web page answers 403 too); reads of someone else's rows answer 404 instead, through
    the fetch-and-authorise selectors, so nothing confirms they exist."""

    def __init__(self, message: str, *, code: str = ROLE_NOT_PERMITTED) -> None:
        super().__init__(message)
        self.code = code


def allowed(role: str, resource: str, action: str, context: str) -> bool:
    return (role, resource, action, context) in ALLOWED


def require(role: str, resource: str, action: str, context: str) -> None:
    if not allowed(role, resource, action, context):
        code = (
            CONTEXT_NOT_PERMITTED if role_may_ever(role, resource, action) else ROLE_NOT_PERMITTED
        )
        raise AccessDenied(f"{role} may not {action} {resource} in context {context}", code=code)


def role_may_ever(role: str, resource: str, action: str) -> bool:
    """Whether any context lets this role do this: if not, the API answers 403."""
    return any(r == role and res == resource and a == action for r, res, a, _ in ALLOWED)
