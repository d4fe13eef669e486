"""Background tasks for reference questions. Each is idempotent: running it twice sends once."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from libdesk.core import clock
from libdesk.reference.models import Answer


def _message(answer: Answer) -> str:
    sources = "\n".join(
        f"- {source.label}" + (f" <{source.url}>" if source.url else "")
        for source in answer.sources.all()
    )
    text = _("You asked:\n\n%(question)s\n\nThe answer:\n\n%(answer)s\n") % {
        "question": answer.question.text,
        "answer": answer.text,
    }
    return text + (_("\nSources:\n%(sources)s\n") % {"sources": sources} if sources else "")


@task()
def send_reference_answer(answer_id: int) -> None:
    """E-mail an answer to the asker who left an address (it goes when the question closes)."""
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .select_related("question")
            .filter(pk=answer_id, mailed_at__isnull=True)
            .exclude(question__contact_email="")
            .first()
        )
        if answer is None:
            return
        with translation.override(answer.language):
            send_mail(
                subject=_("The answer to your question"),
                message=_message(answer),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[answer.question.contact_email],
            )
        answer.mailed_at = clock.now()
        answer.save(update_fields=["mailed_at"])
