"""The access table, walked cell by cell: every combination is checked, allowed and denied.

The expected cells are written out here independently of the table, in plain words.
"""

from itertools import product

import pytest

from libdesk.access.table import ACTIONS, ALLOWED, RESOURCES, Context, Role, allowed

DESK = {"clerk", "librarian", "head_librarian"}
LIBRARIANS = {"librarian", "head_librarian"}
ACCOUNT = {
    "patron.profile",
    "patron.contact",
    "patron.loans",
    "patron.holds",
    "patron.fees",
    "patron.requests",
}

EXPECTED = (
    {(r, res, "read", "serving") for r in DESK for res in ACCOUNT}
    | {
        (r, res, "change", "serving")
        for r in DESK
        for res in (
            "patron.profile",
            "patron.contact",
            "patron.card",
            "patron.pin",
            "patron.guardians",
            "patron.loans",
            "patron.holds",
            "patron.fees",
            "patron.requests",
        )
    }
    | {
        (r, res, "read", "guardian_at_desk")
        for r in DESK
        for res in ("patron.profile", "patron.loans", "patron.holds", "patron.fees")
    }
    | {(r, "patron.profile", "create", "none") for r in DESK}
    | {(r, "patron.directory", "search", "none") for r in DESK}
    | {(r, "serving_context", "create", "none") for r in DESK}
    | {(r, "patron.contact", "read", "call_list") for r in DESK}
    | {(r, "loan.borrower", "read", "none") for r in DESK}
    | {("patron", res, "read", "self") for res in ACCOUNT | {"patron.history", "patron.access_log"}}
    | {
        ("patron", res, "change", "self")
        for res in (
            "patron.contact",
            "patron.pin",
            "patron.history",
            "patron.loans",
            "patron.holds",
            "patron.requests",
        )
    }
    | {("patron", "patron.lists", a, "self") for a in ("read", "create", "change")}
    | {
        ("guardian", res, "read", "guardian")
        for res in ("patron.profile", "patron.loans", "patron.holds", "patron.fees")
    }
    | {("guardian", "patron.history", "read", "guardian")}  # if the child chose so
    | {(r, "policy_question", "create", "none") for r in ("public", "patron")}
    | {("head_librarian", "policy_question", a, "none") for a in ("read", "answer", "share")}
    | {("librarian", "policy_question", a, "shared") for a in ("read", "answer")}
    | {(r, "reference_question", "create", "none") for r in DESK | {"public", "patron"}}
    | {(r, "reference_queue", a, "none") for r in LIBRARIANS for a in ("read", "change")}
    | {(r, "reference_question", "read", c) for r in LIBRARIANS for c in ("claimed", "shared")}
    | {
        (r, "reference_question", a, "claimed")
        for r in LIBRARIANS
        for a in ("answer", "share", "change")
    }
    | {("patron", "reference_question", "read", "self")}
    | {("head_librarian", "reference_figures", "read", "none")}
    | {(r, "reference_directory", "change", "none") for r in LIBRARIANS}
    | {(r, "feedback_comment", "create", "none") for r in ("public", "patron")}
    | {("patron", "feedback_comment", "read", "self")}
    | {(r, "feedback_comment", a, "none") for r in LIBRARIANS for a in ("read", "change", "answer")}
    | {("head_librarian", "feedback_figures", "read", "none")}
    | {("privacy_officer", "audit_log", "read", "none")}
    | {(r, "disclosure_request", "create", "none") for r in DESK | {"privacy_officer"}}
    | {("privacy_officer", "disclosure_request", "answer", "none")}
    | {("privacy_officer", "disclosure_register", "read", "none")}
    | {("administrator", "staff_accounts", a, "none") for a in ("read", "create", "change")}
    | {("administrator", "kiosk_terminals", a, "none") for a in ("read", "create", "change")}
    | {
        (r, res, a, "none")
        for r in LIBRARIANS
        for res in ("outreach.announcements", "outreach.newsletters")
        for a in ("read", "create", "change")
    }
    | {("patron", "patron.contact", "change", "newsletter_link")}
    | {(r, "event", "create", "none") for r in DESK | {"administrator"}}
    | {(r, "event", "change", "organizer") for r in DESK}
    | {(r, "event", "change", "none") for r in ("head_librarian", "administrator")}
    | {(r, "event_attendance", "read", "organizer") for r in DESK}
    | {("public", "event_registration", "create", "none")}
    | {("patron", "event_registration", a, "self") for a in ("create", "read", "change")}
    | {("public", "event_registration", a, "cancel_link") for a in ("read", "change")}
)

ALL_CELLS = list(product([r.value for r in Role], RESOURCES, ACTIONS, [c.value for c in Context]))


def test_the_table_is_exactly_the_expected_cells():
    assert set(ALLOWED) == EXPECTED


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_cell_for_each_role(role):
    for cell in (c for c in ALL_CELLS if c[0] == role):
        assert allowed(*cell) == (cell in EXPECTED), cell


def test_nobody_reads_a_patrons_loans_without_a_patron_context():
    for role in Role:
        assert not allowed(role, "patron.loans", "read", Context.NONE)


def test_no_staff_role_reads_reading_history():
    for role in ("clerk", "librarian", "head_librarian", "privacy_officer", "administrator"):
        for context in Context:
            assert not allowed(role, "patron.history", "read", context)


def test_a_guardian_never_sees_a_childs_contact_nor_their_history_at_the_desk():
    """Online, the history cell exists; the child's consent decides (test_guardian_history)."""
    for context in Context:
        assert not allowed("guardian", "patron.contact", "read", context)
        assert allowed("guardian", "patron.history", "read", context) == (context == "guardian")
    for resource in ("patron.history", "patron.contact"):
        assert not allowed("clerk", resource, "read", Context.GUARDIAN_AT_DESK)


def test_only_librarians_read_a_reference_question_and_only_claimed_or_shared():
    for role in Role:
        for context in Context:
            reads = allowed(role, "reference_question", "read", context)
            staff_read = role in LIBRARIANS and context in ("claimed", "shared")
            assert reads == (staff_read or (role == "patron" and context == "self"))
            assert allowed(role, "reference_queue", "read", context) == (
                role in LIBRARIANS and context == "none"
            )


def test_only_an_events_organizer_sees_who_registered():
    for role in Role:
        for context in Context:
            reads = allowed(role, "event_attendance", "read", context)
            assert reads == (role in DESK and context == "organizer"), (role, context)


def test_a_consulted_librarian_reads_but_never_answers_shares_or_closes():
    for action in ("answer", "share", "change"):
        assert not allowed("librarian", "reference_question", action, "shared")


def test_only_the_privacy_officer_reads_the_disclosure_register_and_nobody_changes_it():
    for role in Role:
        for context in Context:
            reads = allowed(role, "disclosure_register", "read", context)
            assert reads == (role == "privacy_officer" and context == "none")
            for resource in ("disclosure_register", "disclosure_request"):
                assert not allowed(role, resource, "change", context)


def test_a_guardian_online_reads_a_childs_loans_holds_and_fees_and_nothing_else():
    """And the reading history, which the child's consent gates in the service."""
    shown = {res for res in RESOURCES if allowed("guardian", res, "read", "guardian")}
    assert shown == {
        "patron.profile",
        "patron.loans",
        "patron.holds",
        "patron.fees",
        "patron.history",
    }
    for action in ACTIONS:
        if action != "read":
            assert not any(allowed("guardian", res, action, "guardian") for res in RESOURCES)


def test_only_administrators_set_up_kiosk_terminals_and_only_outside_a_patron_context():
    for role in Role:
        for context in Context:
            for action in ACTIONS:
                expected = role == "administrator" and context == "none"
                expected = expected and action in ("read", "create", "change")
                assert allowed(role, "kiosk_terminals", action, context) == expected
