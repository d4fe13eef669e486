"""Background tasks for comments. Each is idempotent: running it twice sends once."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from libdesk.core import clock
from libdesk.feedback.models import Response
from libdesk.patrons.models import Patron


@task()
def send_feedback_response(response_id: int) -> None:
    """E-mail the library's response to the patron who signed the comment and asked for a
    reply, at their account's address as it is when the mail goes (none: the response waits
    in their account only). Nothing is sent once the comment no longer names them (the
    account was closed) or no longer wants a reply. The comment itself is not repeated."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update()
            .select_related("comment")
            .filter(pk=response_id, mailed_at__isnull=True)
            .first()
        )
        if response is None or not response.comment.wants_reply:
            return
        patron = (
            Patron.objects.filter(pk=response.comment.patron_id).values("email", "language").first()
        )
        if patron is None or not patron["email"]:
            return
        with translation.override(patron["language"] or response.language):
            send_mail(
                subject=_("The library's reply to your comment"),
                message=_(
                    "The library's reply to the comment you signed:\n\n%(reply)s\n\n"
                    "You can also read it in your account, under “Your comments”.\n"
                )
                % {"reply": response.text},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[patron["email"]],
            )
        response.mailed_at = clock.now()
        response.save(update_fields=["mailed_at"])
