"""Background tasks for policy questions. Each is idempotent: running it twice sends once."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from libdesk.policies.models import PolicyQuestion, QuestionStatus


@task()
def send_policy_answer(question_id: int) -> None:
    """E-mail the answer to the asker, then forget their address."""
    with transaction.atomic():
        question = (
            PolicyQuestion.objects.select_for_update()
            .filter(pk=question_id, status=QuestionStatus.ANSWERED)
            .exclude(contact_email="")
            .first()
        )
        if question is None:
            return
        with translation.override(question.language):
            send_mail(
                subject=_("Your question about our policy"),
                message=_("You asked:\n\n%(question)s\n\nThe answer:\n\n%(answer)s\n")
                % {"question": question.question, "answer": question.answer},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[question.contact_email],
            )
        question.contact_email = ""
        question.save(update_fields=["contact_email"])
