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
    # The question itself is not repeated: the address was never confirmed, so a mail sent
    # to someone who did not ask tells them nothing the asker wrote.
    text = _("The answer to the question you asked the library:\n\n%(answer)s\n") % {
        "answer": answer.text
    }
    return text + (_("\nSources:\n%(sources)s\n") % {"sources": sources} if sources else "")


@task()
def send_reference_answer(answer_id: int) -> None:
    """E-mail an answer to the asker who left an address. The address travels with the
    answer (`mail_to`), so closing the question, which removes its contact details, cannot
    lose the mail; it is cleared once the mail is sent."""
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .filter(pk=answer_id, mailed_at__isnull=True)
            .exclude(mail_to="")
            .first()
        )
        if answer is None:
            return
        with translation.override(answer.language):
            send_mail(
                subject=_("The answer to your question"),
                message=_message(answer),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[answer.mail_to],
            )
        answer.mailed_at, answer.mail_to = clock.now(), ""
        answer.save(update_fields=["mailed_at", "mail_to"])
