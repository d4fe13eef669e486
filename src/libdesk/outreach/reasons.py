"""What outreach's refusals say and the clause behind each (core/decisions.py), and the forms
its audit entries' reasons take (audit/reasons.py), registered at import time."""

from django.utils.translation import gettext_lazy as _

from libdesk.audit.reasons import register_form
from libdesk.core.decisions import Reason, register

# "...makes community members and organizations aware of its resources and services."
PURPOSE = "OP-02-01-01/purpose"

# How many patrons and organizations an issue was mailed to (outreach.newsletter.sent).
register_form("newsletter recipients", r"[0-9]{1,9} recipients")

register(
    Reason(
        code="newsletter_already_sent",
        clauses=(PURPOSE,),
        reason=_("This newsletter issue has already been sent."),
        short_reason=_("This issue was already sent."),
        staff_reason=_(
            "This issue was sent (or is being sent) already: each issue goes once to each "
            "person who asked for the newsletter. Compose a new issue for later news."
        ),
    )
)
register(
    Reason(
        code="newsletter_empty",
        clauses=(PURPOSE,),
        reason=_("This newsletter issue has nothing to say yet."),
        short_reason=_("The issue has nothing in it yet."),
        staff_reason=_(
            "None of the sections chosen has anything since the last issue (no news, no new "
            "arrivals for this subject or format). Publish an announcement, choose other "
            "sections or another filter, or wait for new arrivals."
        ),
    )
)
register(
    Reason(
        code="newsletter_no_mail",
        clauses=(PURPOSE,),
        reason=_("The library cannot send e-mail at the moment."),
        short_reason=_("No e-mail can be sent now."),
        staff_reason=_(
            "No mail server is configured (LIBDESK_SMTP_HOST), so the newsletter would reach "
            "nobody. Set up mail first; the issue stays a draft until then."
        ),
    )
)
