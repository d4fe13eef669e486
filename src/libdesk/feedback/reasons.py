"""What feedback's refusals say and the clause behind each (core/decisions.py), the codes and
forms its audit entries may give as reasons (audit/reasons.py), and the kind of data a look
at a signed comment is (audit/data_kinds.py), all registered at import time."""

from django.utils.translation import gettext_lazy as _

from libdesk.audit import data_kinds
from libdesk.audit.reasons import ID, register_codes, register_form
from libdesk.core.decisions import Reason, register
from libdesk.feedback.models import Service, Theme

COMMENTS_WELCOME = "OP-02-01-01/expectations-feedback"

SIGNED_COMMENT_DATA = data_kinds.register(
    "feedback_comment", _("a comment you signed, with your name")
)

# The kind of service a comment is about, on feedback.comment; the theme staff filed it
# under, on feedback.theme; the clause it was tied to (by its row's id), on feedback.clause.
register_codes("feedback service", Service.values)
register_codes("feedback theme", Theme.values)
register_form("feedback clause", rf"clause {ID}")

register(
    Reason(
        code="feedback_closed",
        clauses=(COMMENTS_WELCOME,),
        reason=_("This comment has been closed; a new comment is always welcome."),
        short_reason=_("This comment is closed."),
        staff_reason=_(
            "The comment was closed: nothing more can be filed, tied or sent on it. Every "
            "comment stays in the figures for the board."
        ),
    )
)
