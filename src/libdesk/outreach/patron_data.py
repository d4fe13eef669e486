"""Outreach's patron data (core/patron_data.py): the record of which newsletter issues were
mailed to a patron, and an organization's contact person. Imported by OutreachConfig."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from libdesk.core import clock
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register
from libdesk.outreach.models import NewsletterDelivery, OrganizationContact
from libdesk.patrons.models import Category, ConsentPurpose, Patron
from libdesk.patrons.services import on_consent_withdrawn


def _delivery(delivery: NewsletterDelivery, patron_id: int) -> dict:
    return {
        "newsletter": delivery.issue.title_en,
        "newsletter_fr": delivery.issue.title_fr,
        "sent_at": delivery.sent_at,
    }


def _contact(contact: OrganizationContact, patron_id: int) -> dict:
    return {
        "contact_person": contact.name,
        "their_role": contact.role,
        "email": contact.email,
        "phone": contact.phone,
        "updated_at": contact.updated_at,
    }


def purge_deliveries() -> int:
    """Delivery records older than NEWSLETTER_DELIVERY_RETENTION_DAYS."""
    days = settings.LIBDESK["NEWSLETTER_DELIVERY_RETENTION_DAYS"]
    cutoff = clock.now() - timedelta(days=days)
    return NewsletterDelivery.objects.filter(sent_at__lt=cutoff).delete()[0]


def purge_stray_contacts() -> int:
    """Contact persons of records that are no longer organizations (their category was
    changed): a contact person belongs to an organization only."""
    organizations = Patron.objects.filter(category=Category.ORGANIZATION).values("pk")
    return OrganizationContact.objects.exclude(patron_id__in=organizations).delete()[0]


def forget_deliveries(patron_id: int) -> int:
    """Withdrawing the newsletter consent removes the record of the issues sent."""
    return NewsletterDelivery.objects.filter(patron_id=patron_id).delete()[0]


on_consent_withdrawn(ConsentPurpose.NEWSLETTERS, forget_deliveries)

register(
    PatronDataKind(
        name="outreach.newsletter_deliveries",
        label=_("Newsletters we e-mailed you"),
        model=NewsletterDelivery,
        resource="patron.contact",
        rows=lambda pid: NewsletterDelivery.objects.filter(patron_id=pid).select_related("issue"),
        export_row=_delivery,
        closing=Closing.DELETE,
        closing_text=_("Deleted."),
        retention=Retention(
            _(
                "Which issue was sent and when (never a copy of the message), so that no one "
                "gets an issue twice; deleted after the retention period, or at once when you "
                "stop the newsletter."
            ),
            setting="NEWSLETTER_DELIVERY_RETENTION_DAYS",
            purge=purge_deliveries,
        ),
    )
)
register(
    PatronDataKind(
        name="outreach.organization_contacts",
        label=_("Your organization's contact person"),
        model=OrganizationContact,
        resource="patron.contact",
        rows=lambda pid: OrganizationContact.objects.filter(patron_id=pid),
        export_row=_contact,
        closing=Closing.DELETE,
        closing_text=_("Deleted."),
        retention=Retention(
            _(
                "Kept while the account is an organization's; staff change it when the "
                "person changes."
            ),
            purge=purge_stray_contacts,
        ),
    )
)
