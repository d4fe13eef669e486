"""What the reference desk's refusals say and the clause behind each (core/decisions.py), the
codes its audit entries may give as reasons (audit/reasons.py), and the kind of data a look
at a question is (audit/data_kinds.py), all registered at import time."""

from django.utils.translation import gettext_lazy as _

from libdesk.audit import data_kinds
from libdesk.audit.reasons import ID, register_codes, register_form
from libdesk.core.decisions import Reason, register
from libdesk.reference.models import SendAnywayReason, ShareKind, ShareReason

CONFIDENTIAL = "OP-02-01-01/confidential-requests"
FACTS_NOT_OPINIONS = "OP-02-01-01/facts-not-opinions"
EQUAL_RESPECT = "OP-02-01-01/equal-respect"

QUESTION_DATA = data_kinds.register("reference_question", _("your question to a librarian"))

# How a librarian came to a question: the next in line, or one they chose.
register_codes("reference claim", ["next_in_line", "chosen"])
register_codes("reference release", ["claimer_left"])
# Why a librarian read a question's text: they claimed it, or it was shared with them.
register_codes("reference read as", ["claimed", "shared"])
register_codes("reference sent anyway because", SendAnywayReason.values)
register_form(
    "reference share",
    rf"({'|'.join(ShareKind.values)}) ({'|'.join(ShareReason.values)}) staff:{ID}",
)
register_form("reference effort", r"effort [1-6]")

register(
    Reason(
        code="reference_answer_flagged",
        clauses=(FACTS_NOT_OPINIONS,),
        reason=_(
            "Library staff answer with the best factual information available and do not "
            "offer personal opinions or advice, nor recommend products or services. They can "
            "direct you to sources of consumer information."
        ),
        short_reason=_("An answer gives facts and sources, not opinions or advice."),
        staff_reason=_(
            "The answer reads as an opinion, advice or a recommendation: {findings}. Rewrite "
            "it as facts with their sources, point to the consumer sources offered, or send it "
            "anyway with a reason if the words are quoted or factual."
        ),
    )
)
register(
    Reason(
        code="reference_already_claimed",
        clauses=(EQUAL_RESPECT,),
        reason=_("Another librarian is already answering this question."),
        short_reason=_("Another librarian is already answering it."),
        staff_reason=_(
            "This question was claimed by someone else, or has been answered or closed. "
            "Take the next one in line; every question waits its turn."
        ),
    )
)
register(
    Reason(
        code="reference_not_next",
        clauses=(EQUAL_RESPECT,),
        reason=_("Every question waits its turn: older questions are answered first."),
        short_reason=_("An older question is waiting."),
        staff_reason=_(
            "An older question is still waiting. Questions are taken in the order they came: "
            "take the oldest one, and consult or transfer if another librarian knows more."
        ),
    )
)
register(
    Reason(
        code="reference_question_closed",
        clauses=(EQUAL_RESPECT,),
        reason=_("This question has been closed."),
        short_reason=_("This question is closed."),
        staff_reason=_("The question was closed; nothing more can be sent or changed on it."),
    )
)
register(
    Reason(
        code="reference_share_librarians_only",
        clauses=(CONFIDENTIAL,),
        reason=_(
            "A request for information is discussed only with another librarian, for the "
            "purpose of answering it."
        ),
        short_reason=_("Questions are shared only with another librarian."),
        staff_reason=_(
            "A question can be shared only with another active librarian (or the Head "
            "Librarian), never with other staff, and never with oneself."
        ),
    )
)
