"""Mailing a newsletter issue: its text in each language, made once, and one message per
recipient in their language with their own unsubscribe link.

Idempotent as circulation's notices are: each recipient's delivery row is written in the
transaction that hands the message to the mail backend, under a unique (issue, patron)
constraint. A re-run of the task finds the row and mails nobody twice; a message the backend
refused rolls its row back, so the re-run tries that recipient again. The consent is checked
again for each recipient at the moment of sending."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.library.mail import sends_mail
from libdesk.outreach import sections as registry
from libdesk.outreach.links import unsubscribe_token
from libdesk.outreach.models import IssueState, NewsletterDelivery, NewsletterIssue
from libdesk.outreach.selectors import newsletter_recipients
from libdesk.patrons.models import Category, ConsentPurpose, Patron
from libdesk.patrons.selectors import has_consented

log = logging.getLogger(__name__)
LANGUAGES = ("en", "fr")


def period_of(issue: NewsletterIssue, language: str) -> registry.Period:
    """What the issue covers, in `language` (a draft: up to now)."""
    return registry.Period(
        since=issue.covers_from,
        until=issue.covers_until or clock.now(),
        language=language,
        subject=issue.arrivals_subject,
        material_type=issue.arrivals_format,
    )


def issue_contents(issue: NewsletterIssue, language: str) -> list[registry.Content]:
    """The issue's sections in `language` (the preview page shows the same)."""
    with translation.override(language):
        return registry.build(issue.sections, period_of(issue, language))


def issue_text(issue: NewsletterIssue, language: str, link_base: str) -> str:
    """The body of the issue in `language`, links made absolute, without the unsubscribe
    part (added per recipient)."""
    lines = [issue.title(language), ""]
    for content in issue_contents(issue, language):
        lines += [f"== {content.title} ==", ""]
        for entry in content.entries:
            lines.append(f"* {entry.title}")
            if entry.text:
                lines += [f"  {line}" for line in entry.text.splitlines()]
            if entry.path:
                lines.append(f"  {link_base}{entry.path}")
            lines.append("")
    return "\n".join(lines)


def recipient_address(patron: Patron) -> str:
    """Where a recipient's newsletter goes: an organization's contact person's e-mail when it
    has one, else the patron's own."""
    contact = getattr(patron, "organization_contact", None)
    if patron.category == Category.ORGANIZATION and contact is not None and contact.email:
        return contact.email
    return patron.email


def unsubscribe_url(link_base: str, patron_id: int) -> str:
    return link_base + reverse("outreach:unsubscribe", args=[unsubscribe_token(patron_id)])


def _message(issue, patron, body: str) -> EmailMessage:
    link = unsubscribe_url(issue.link_base, patron.pk)
    with translation.override(patron.language):
        footer = _(
            "You receive this newsletter because you asked for it. To stop receiving it, "
            "open this link (no sign-in needed):"
        )
        subject = issue.title(patron.language)
    return EmailMessage(
        subject=subject,
        body=f"{body}\n-- \n{footer}\n{link}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient_address(patron)],
        headers={"List-Unsubscribe": f"<{link}>"},
    )


def _recipients():
    """The recipients, read 500 at a time by id (no cursor left open while mailing)."""
    ids = list(newsletter_recipients().values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        yield from newsletter_recipients().filter(pk__in=ids[start : start + 500])


def deliver_issue(issue_id: int) -> int:
    """Mail the issue to every recipient not yet sent it; answers how many were mailed now.
    Safe to run again at any time: an issue being sent resumes with those not yet mailed, and
    a finished one mails nobody, ever (the record of who got it goes when someone stops the
    newsletter, or after its retention period, so it cannot be what stops a second mailing)."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None or issue.state != IssueState.SENDING or not sends_mail():
        return 0
    bodies = {language: issue_text(issue, language, issue.link_base) for language in LANGUAGES}
    mailed = 0
    for patron in _recipients():
        with transaction.atomic():
            if not has_consented(patron.pk, ConsentPurpose.NEWSLETTERS):
                continue  # withdrew since the list was read
            try:
                with transaction.atomic():
                    NewsletterDelivery.objects.create(
                        issue=issue, patron=patron, sent_at=clock.now()
                    )
            except IntegrityError:
                continue  # already mailed this issue: the task ran before
            body = bodies.get(patron.language, bodies["en"])
            _message(issue, patron, body).send()
        mailed += 1
    with transaction.atomic():
        fresh = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        if fresh.state != IssueState.SENT:
            fresh.state, fresh.sent_at = IssueState.SENT, clock.now()
            fresh.save(update_fields=["state", "sent_at"])
            total = NewsletterDelivery.objects.filter(issue=issue).count()
            audit.record(
                Actor.system("newsletter"),
                "outreach.newsletter.sent",
                object_type="newsletter",
                object_id=issue.pk,
                reason=f"{total} recipients",
            )
    log.info("Newsletter issue %d: %d message(s) handed to the mail backend", issue.pk, mailed)
    return mailed
