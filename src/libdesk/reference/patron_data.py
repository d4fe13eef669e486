"""The reference desk's patron data (core/patron_data.py): questions a patron linked to their
account. Unlinked questions name nobody; each is kept by itself until its retention ends.
Imported by ReferenceConfig."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register
from libdesk.reference.models import Channel, Question, Status, Topic
from libdesk.reference.services import purge_closed_questions, unlink_patron


def _question(question: Question, patron_id: int) -> dict:
    """What they asked and what the library answered, with the sources (never the
    librarian's name)."""
    return {
        "asked_at": question.asked_at,
        "how": str(Channel(question.channel).label),
        "topic": str(Topic(question.topic).label),
        "status": str(Status(question.status).label),
        "you_asked": question.text,
        "contact_email": question.contact_email,
        "contact_phone": question.contact_phone,
        "answers": [
            {
                "sent_at": answer.sent_at,
                "answer": answer.text,
                "sources": [{"source": s.label, "url": s.url} for s in answer.sources.all()],
            }
            for answer in question.answers.all()
        ],
    }


register(
    PatronDataKind(
        name="reference.questions",
        label=_("Questions you asked a librarian and linked to your account"),
        model=Question,
        resource="reference_question",
        rows=lambda pid: Question.objects.filter(patron_id=pid).prefetch_related(
            "answers__sources"
        ),
        export_row=_question,
        closing=Closing.UNLINK,
        closing_text=_(
            "No longer linked to you, and your contact details are removed; the question "
            "itself is deleted with the others when its retention period ends."
        ),
        close=unlink_patron,
        retention=Retention(
            _(
                "Contact details are removed when the question is closed; the question and "
                "its answers are deleted after the retention period, keeping only figures "
                "(how it was asked, its topic, the effort and the times). A question nobody "
                "answered is deleted after a longer period, counted from when it was asked."
            ),
            setting="REFERENCE_RETENTION_DAYS",
            purge=purge_closed_questions,
        ),
    )
)
