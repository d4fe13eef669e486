"""State changes for outreach. Each is one transaction, checks the access table and writes its
audit entry (ids only). Sending a newsletter only marks the issue and queues the task after
commit (`outreach/tasks.py`); `outreach/mailing.py` does the mailing, once per recipient."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from libdesk.access.purposes import Access
from libdesk.access.table import Context, Role, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.catalog.models import MaterialType
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError
from libdesk.core.tasks import enqueue_after_commit
from libdesk.library.mail import sends_mail
from libdesk.outreach import reasons  # noqa: F401  (registers outreach's decision codes)
from libdesk.outreach import sections as registry
from libdesk.outreach.links import patron_for_token
from libdesk.outreach.mailing import issue_contents
from libdesk.outreach.models import (
    Announcement,
    IssueState,
    NewsletterIssue,
    OrganizationContact,
)
from libdesk.outreach.tasks import send_newsletter
from libdesk.patrons.models import Category, ConsentChannel, ConsentPurpose, Patron
from libdesk.patrons.services import set_consents

# The first issue covers the news and arrivals of this many days before it is composed.
FIRST_ISSUE_DAYS = 30
PHONE = re.compile(r"[0-9+()\-. ]{7,40}")


class OutreachError(InputError):
    """Input an outreach service cannot accept, naming the field."""


def _required(value: str, field: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise OutreachError(field, _("this is required"))
    if len(value) > limit:
        raise OutreachError(field, _("at most %d characters") % limit)
    if limit <= 200 and any(c in value for c in "\r\n\x0b\x0c\x85\u2028\u2029"):
        # titles and names go into mail subjects and headers: one line only
        raise OutreachError(field, _("one line, without line breaks"))
    return value


# --- Announcements ------------------------------------------------------------------------


def publish_announcement(
    staff, workstation, *, title_en: str, title_fr: str, body_en: str, body_fr: str
) -> Announcement:
    """Publish a piece of library news in both languages: on the news page at once, and in
    the next newsletter issue's "library news" section."""
    require(staff.role, "outreach.announcements", "create", Context.NONE)
    fields = {
        "title_en": _required(title_en, "title_en"),
        "title_fr": _required(title_fr, "title_fr"),
        "body_en": _required(body_en, "body_en", 4000),
        "body_fr": _required(body_fr, "body_fr", 4000),
    }
    with transaction.atomic():
        announcement = Announcement.objects.create(
            **fields, published_at=clock.now(), written_by=staff
        )
        audit.record(
            Actor.staff(staff, workstation),
            "outreach.announcement.publish",
            object_type="announcement",
            object_id=announcement.pk,
        )
    return announcement


# --- Newsletter issues --------------------------------------------------------------------


def _previous_issue_end() -> object:
    last = (
        NewsletterIssue.objects.filter(covers_until__isnull=False).order_by("-covers_until").first()
    )
    return last.covers_until if last else clock.now() - timedelta(days=FIRST_ISSUE_DAYS)


def _check_sections(keys: list[str]) -> list[str]:
    known = {section.key for section in registry.sections()}
    chosen = [key for key in dict.fromkeys(keys) if key]
    unknown = [key for key in chosen if key not in known]
    if unknown:
        raise OutreachError("sections", _("no section is called %s") % ", ".join(unknown))
    if not chosen:
        raise OutreachError("sections", _("choose at least one section"))
    return chosen


def compose_issue(
    staff,
    workstation,
    *,
    title_en: str,
    title_fr: str,
    sections: list[str],
    subject: str = "",
    material_type: str = "",
) -> NewsletterIssue:
    """A draft issue from the sections chosen, covering everything since the previous issue
    was sent; new arrivals by one subject heading, or one format, or all."""
    require(staff.role, "outreach.newsletters", "create", Context.NONE)
    chosen = _check_sections(sections)
    subject = (subject or "").strip()
    if len(subject) > 200:
        raise OutreachError("subject", _("at most %d characters") % 200)
    if material_type and material_type not in MaterialType.values:
        raise OutreachError("material_type", _("choose one of %s") % ", ".join(MaterialType.values))
    if subject and material_type:
        raise OutreachError("subject", _("choose a subject or a format, not both"))
    with transaction.atomic():
        issue = NewsletterIssue.objects.create(
            title_en=_required(title_en, "title_en"),
            title_fr=_required(title_fr, "title_fr"),
            sections=chosen,
            arrivals_subject=subject,
            arrivals_format=material_type,
            covers_from=_previous_issue_end(),
            created_at=clock.now(),
            created_by=staff,
        )
        audit.record(
            Actor.staff(staff, workstation),
            "outreach.newsletter.compose",
            object_type="newsletter",
            object_id=issue.pk,
        )
    return issue


def send_issue(staff, workstation, issue_id: int, link_base: str) -> NewsletterIssue:
    """Send a draft: fix the period it covers, mark it being sent and queue the mailing after
    commit. Refused when it was sent already, says nothing, or no mail can leave."""
    require(staff.role, "outreach.newsletters", "change", Context.NONE)
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None:
            raise OutreachError("issue", _("no newsletter issue has this number"))
        if issue.state != IssueState.DRAFT:
            raise Refused(Decision.refuse("newsletter_already_sent"))
        if not sends_mail():
            raise Refused(Decision.refuse("newsletter_no_mail"))
        issue.covers_from = _previous_issue_end()
        issue.covers_until = clock.now()
        if not issue_contents(issue, "en"):
            raise Refused(Decision.refuse("newsletter_empty"))
        issue.state = IssueState.SENDING
        issue.link_base = link_base.rstrip("/")[:200]
        issue.save(update_fields=["covers_from", "covers_until", "state", "link_base"])
        audit.record(
            Actor.staff(staff, workstation),
            "outreach.newsletter.send",
            object_type="newsletter",
            object_id=issue.pk,
        )
        enqueue_after_commit(send_newsletter, issue.pk)
    return issue


# --- Unsubscribing ------------------------------------------------------------------------


def unsubscribe(token: str) -> bool:
    """Withdraw the newsletter consent of the token's recipient, as a consent record (channel
    web) in their history, which also removes the record of the issues sent to them.
    Answers False for a token that names nobody (the door answers 404)."""
    patron_id = patron_for_token(token)
    if patron_id is None:
        return False
    access = Access(
        Actor.patron(patron_id), Role.PATRON, Context.NEWSLETTER_LINK, patron_id, "newsletter_link"
    )
    set_consents(access, {ConsentPurpose.NEWSLETTERS: False}, channel=ConsentChannel.WEB)
    return True


# --- Organizations ------------------------------------------------------------------------


def set_organization_contact(
    access: Access,
    *,
    name: str,
    role: str = "",
    email: str = "",
    phone: str = "",
    newsletter: bool = False,
) -> OrganizationContact:
    """Staff serving an organization record its contact person, and whether it wants the
    newsletter (a consent record at the desk, sent to the contact's e-mail)."""
    access.change("patron.contact")
    name = _required(name, "name")
    role = (role or "").strip()
    email, phone = (email or "").strip(), (phone or "").strip()
    if len(role) > 200:
        raise OutreachError("role", _("at most %d characters") % 200)
    if not (email or phone):
        raise OutreachError("email", _("an e-mail address or a phone number is needed"))
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise OutreachError("email", _("not a valid e-mail address")) from exc
    if phone and not PHONE.fullmatch(phone):
        raise OutreachError("phone", _("not a valid phone number"))
    if newsletter and not email:
        raise OutreachError("email", _("the newsletter is sent by e-mail: give an address"))
    with transaction.atomic():
        patron = Patron.objects.select_for_update().get(pk=access.patron_id)
        if patron.category != Category.ORGANIZATION:
            raise OutreachError("category", _("only an organization has a contact person"))
        contact, _created = OrganizationContact.objects.update_or_create(
            patron=patron,
            defaults={
                "name": name,
                "role": role,
                "email": email,
                "phone": phone,
                "updated_at": clock.now(),
            },
        )
        audit.record(
            access.actor,
            "outreach.contact.change",
            object_type="patron",
            object_id=patron.pk,
            patron_id=patron.pk,
        )
        set_consents(access, {ConsentPurpose.NEWSLETTERS: newsletter}, channel=ConsentChannel.DESK)
    return contact
