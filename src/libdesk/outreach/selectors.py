"""Reads for outreach: announcements, newsletter issues, the catalogue's new arrivals (which
name nobody), the newsletter's recipients (for the sending task only), and an organization's
contact person (patron-linked: read through an Access, as contact details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q, Subquery

from libdesk.access.purposes import Access
from libdesk.catalog.models import Item, MaterialType, Record
from libdesk.core import clock
from libdesk.outreach.models import Announcement, NewsletterIssue, OrganizationContact
from libdesk.patrons.models import Category, ConsentPurpose, ConsentRecord, Patron

# The new-arrivals page and feeds look at most this far back, and at most this many records
# (newest first) before filtering by subject: a page costs the same whatever the catalogue.
ARRIVALS_DAYS = 90
ARRIVALS_WINDOW = 2000
ARRIVALS_SHOWN = 50


@dataclass(frozen=True)
class Arrival:
    record: Record
    added_at: datetime


def subject_heading(subject: str) -> str:
    """A subject as the facets show it: its heading, before any " -- " subdivision."""
    return subject.split(" -- ")[0].strip().rstrip(".")


def new_arrivals(
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    subject: str = "",
    material_type: str = "",
    limit: int = ARRIVALS_SHOWN,
) -> list[Arrival]:
    """Records with a copy added since `since` (default ARRIVALS_DAYS ago), newest first;
    with `subject`, only records under that heading (case-insensitive); with
    `material_type`, only that format."""
    since = since or clock.now() - timedelta(days=ARRIVALS_DAYS)
    items = Item.objects.filter(added_at__gte=since)
    if until is not None:
        items = items.filter(added_at__lt=until)
    if material_type:
        items = items.filter(record__material_type=material_type)
    newest = (
        items.values("record_id").annotate(latest=Max("added_at")).order_by("-latest", "-record_id")
    )[:ARRIVALS_WINDOW]
    latest = {row["record_id"]: row["latest"] for row in newest}
    records = Record.objects.defer("marc").in_bulk(list(latest))
    wanted = subject.strip().casefold()
    found = []
    for record_id, added_at in latest.items():
        record = records.get(record_id)
        if record is None:
            continue
        if wanted and wanted not in {subject_heading(s).casefold() for s in record.subjects}:
            continue
        found.append(Arrival(record, added_at))
        if len(found) >= limit:
            break
    return found


def arrival_subjects(limit: int = 30) -> list[tuple[str, int]]:
    """The headings most common among recent arrivals, for the page's filter."""
    counts: dict[str, int] = {}
    for arrival in new_arrivals(limit=ARRIVALS_WINDOW):
        for heading in {subject_heading(s) for s in arrival.record.subjects if s.strip()}:
            counts[heading] = counts.get(heading, 0) + 1
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].casefold()))
    return ordered[:limit]


def material_type_label(code: str) -> str:
    return str(MaterialType(code).label) if code in MaterialType.values else ""


def published_announcements(since=None, until=None, limit: int = 50) -> list[Announcement]:
    """Published news, newest first; between `since` and `until` when given."""
    query = Announcement.objects.filter(published_at__lte=until or clock.now())
    if since is not None:
        query = query.filter(published_at__gte=since)
    return list(query[:limit])


def recent_issues(limit: int = 20) -> list[NewsletterIssue]:
    return list(NewsletterIssue.objects.all()[:limit])


def issue(issue_id: int) -> NewsletterIssue | None:
    return NewsletterIssue.objects.filter(pk=issue_id).first()


def _latest_newsletter_answer():
    latest = ConsentRecord.objects.filter(
        patron_id=OuterRef("pk"), purpose=ConsentPurpose.NEWSLETTERS
    ).order_by("-pk")
    return Subquery(latest.values("given")[:1])


def newsletter_recipients():
    """Every patron whose latest newsletter answer is yes, with the organization's contact
    person selected, in one query: for the sending task only, which reads the address to
    mail and nothing else (never shown to anyone)."""
    return (
        Patron.objects.annotate(newsletter=_latest_newsletter_answer())
        .filter(newsletter=True)
        .filter(
            Q(email__gt="")
            | Exists(OrganizationContact.objects.filter(patron_id=OuterRef("pk"), email__gt=""))
        )
        .select_related("organization_contact")
        .order_by("pk")
    )


def organization_contact(access: Access) -> OrganizationContact | None:
    """The contact person of the organization being served (read as contact details)."""
    access.read("patron.contact", "contact")
    return OrganizationContact.objects.filter(patron_id=access.patron_id).first()


def is_organization(patron: Patron) -> bool:
    return patron.category == Category.ORGANIZATION
