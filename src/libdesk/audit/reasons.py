"""What an audit entry may give as its reason: a code from a registered list, or a reference
of a registered form (an id, a date, a receipt number, counts). Never words someone typed.

Why a registry rather than a pattern: a pattern that lets codes through ("lower-case words
joined by underscores") also lets through a clerk's note typed as one word, or a name; a
registered list admits only what some source file declared, so free text cannot reach the log
by accident, and every reason the privacy officer reads is one of a known set. A form admits
digits and fixed words only, never letters someone chose.

Each app registers its codes where they are defined, at import time (`register_codes`, as
`circulation/disclosure.py` does). The lists below are the codes the apps wrote before the
registry existed; `tests/audit/test_reasons.py` checks each against the choices it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


class UnregisteredReason(ValueError):
    """A reason that is neither a registered code nor of a registered form: a programming
    error (free text must never reach the log), so the change it came with is not made."""

    def __init__(self, reason: str, action: str) -> None:
        super().__init__(
            f"audit entry {action!r}: reason {reason[:60]!r} is not a registered code; an audit "
            "entry carries codes only (register the list with "
            "libdesk.audit.reasons.register_codes where the codes are defined)"
        )


@dataclass(frozen=True)
class ReasonKind:
    """One list of codes, or one form of reference, that reasons may take."""

    name: str
    codes: frozenset[str] = frozenset()
    form: re.Pattern[str] | None = None

    def admits(self, reason: str) -> bool:
        if reason in self.codes:
            return True
        return self.form is not None and self.form.fullmatch(reason) is not None


_KINDS: dict[str, ReasonKind] = {}
_CODES: set[str] = set()
_FORMS: list[ReasonKind] = []


def register_codes(name: str, codes: Iterable[str]) -> ReasonKind:
    """Add (or extend) a list of codes under a name the privacy officer would understand."""
    known = _KINDS.get(name, ReasonKind(name))
    kind = ReasonKind(name, known.codes | frozenset(str(code) for code in codes), known.form)
    _KINDS[name] = kind
    _CODES.update(kind.codes)
    return kind


def register_form(name: str, pattern: str) -> ReasonKind:
    """Add a form of reference: a regular expression matched against the whole reason, which
    must admit ids, dates and fixed words only (a test tries each form on free text)."""
    kind = ReasonKind(name, form=re.compile(pattern, re.ASCII))
    _KINDS[name] = kind
    _FORMS.append(kind)
    return kind


def check(reason: str, action: str) -> None:
    """Refuse a reason that is not registered (an empty reason is no reason, and allowed)."""
    if not reason or reason in _CODES:
        return
    if not any(kind.admits(reason) for kind in _FORMS):
        raise UnregisteredReason(reason, action)


def kinds() -> dict[str, ReasonKind]:
    return dict(_KINDS)


ID = r"[1-9][0-9]{0,18}"

# How someone came to see a patron's account (privacy.models.Basis), given by reads.
register_codes(
    "serving basis",
    [
        "card_presented",
        "id_checked",
        "verification_questions",
        "guardian_with_child_card",
        "guardian_id_checked",
    ],
)
# A guardian signed in online (privacy.selectors.GUARDIAN_SIGN_IN): their sign-in is the ID.
register_codes("guardian online basis", ["guardian_sign_in"])
# Who asked for someone else's information, and what the privacy officer decided
# (privacy.models.RequesterKind, DisclosureOutcome).
register_codes(
    "requester kind",
    ["another_patron", "family", "employer", "police", "lawyer", "government", "media", "other"],
)
register_codes("disclosure outcome", ["refused", "disclosed", "partly_disclosed"])
# Who an API token was issued to (api/tokens.py).
register_codes("token holder", ["staff", "patron"])
# A staff account's role (access.table.STAFF_ROLES), on staff.add and staff.role.
register_codes(
    "staff role", ["clerk", "librarian", "head_librarian", "privacy_officer", "administrator"]
)
# An item's status (catalog.models.ItemStatus), on catalog.item.update.
register_codes(
    "item status",
    [
        "available",
        "on_loan",
        "on_hold_shelf",
        "in_transit",
        "missing",
        "lost",
        "in_repair",
        "damaged",
        "claimed_returned",
        "library_use",
        "withdrawn",
    ],
)
# A patron's request (circulation.models.RequestKind, RequestStatus).
register_codes("request kind", ["ill", "purchase"])
register_codes("request status", ["submitted", "in_progress", "fulfilled", "declined", "cancelled"])
# What a patron agreed to or withdrew (patrons.models.ConsentPurpose).
register_codes("consent purpose", ["reading_history", "guardian_visibility", "newsletters"])
# Why a fee's balance was cancelled (circulation/services/returns.py), and why staff read a
# patron's contact details (circulation/selectors.py, the call list).
register_codes("fee cancelled because", ["item_found"])
register_codes("contact read for", ["call_list_notice"])
# The sign-in channels (core.lockout.CHANNELS): a sign-in's, or the locks staff lifted.
register_form("sign-in channels", r"(online|kiosk)(,(online|kiosk))?")
# An override: its kind and reason code (circulation.models.OverrideKind, OverrideReason).
register_form(
    "override",
    r"(checkout_block|renewal_block|extend_due|waive_fee) "
    r"(circumstances|accessibility|library_error|closure|first_time|other)",
)
# The item a circulation entry by loan is about, or the loan an entry by item is about.
register_form("item reference", rf"item {ID}")
register_form("loan reference", rf"loan {ID}")
# The librarian a question was shared with (policies/questions.py).
register_form("staff reference", rf"staff:{ID}")
# A closed day (library/services.py).
register_form("date", r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A payment's receipt number (circulation/services/fees.py).
register_form("receipt", r"R[0-9]{8}-[0-9A-F]{6}")
# What an import batch did (catalog/importing.py, catalog/items.py).
register_form("import counts", r"[0-9]{1,9} new, [0-9]{1,9} updated")
# A board motion's number, as the policy document gives it (policies/services.py checks a
# review's motion against this form before recording it).
BOARD_MOTION = register_form(
    "board motion", r"#?([A-Z]{1,4}[-.]?)?[0-9]{1,6}([-/.][0-9]{1,6}){0,3}"
)
# The audit key the log moves onto at a rotation (audit.keys.key_id).
register_form("audit key id", r"[0-9a-f]{16}")
