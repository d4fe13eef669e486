"""Feedback's patron data (core/patron_data.py): the comments a patron signed. An unsigned
comment names nobody. Imported by FeedbackConfig."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register
from libdesk.feedback.models import Comment, Service, Status, Theme
from libdesk.feedback.services import purge_old_comments, unlink_patron


def _comment(comment: Comment, patron_id: int) -> dict:
    """What they wrote and what the library answered (never the responder's name)."""
    return {
        "received_at": comment.received_at,
        "about": str(Service(comment.service).label),
        "you_wrote": comment.text,
        "your_rating": comment.rating,
        "you_asked_for_a_reply": comment.wants_reply,
        "filed_under": str(Theme(comment.theme).label) if comment.theme else "",
        "status": str(Status(comment.status).label),
        "responses": [
            {"sent_at": response.sent_at, "response": response.text}
            for response in comment.responses.all()
        ],
    }


register(
    PatronDataKind(
        name="feedback.comments",
        label=_("Comments you signed"),
        model=Comment,
        resource="feedback_comment",
        rows=lambda pid: Comment.objects.filter(patron_id=pid).prefetch_related("responses"),
        export_row=_comment,
        closing=Closing.UNLINK,
        closing_text=_(
            "No longer signed: they stay as anonymous comments, naming nobody, until their "
            "retention period ends."
        ),
        close=unlink_patron,
        retention=Retention(
            _(
                "A comment's text, its signature and the library's responses are deleted "
                "after the retention period, counted from when it was closed (or from when "
                "it arrived, if it was never closed), keeping only figures (the kind of "
                "service, the theme, the rating and the times)."
            ),
            setting="FEEDBACK_RETENTION_DAYS",
            purge=purge_old_comments,
        ),
    )
)
