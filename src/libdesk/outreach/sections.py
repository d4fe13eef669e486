"""The sections a newsletter issue is made of: a small registry of functions (the library's
news, new programs, new arrivals), so that an app added later brings its own section.

A section is a key, a label for the staff's composing form, and `build(period)`, which answers
the section's content for one language (called under `translation.override`) or None when it
has nothing to say this time (the issue then leaves it out). Sections name nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libdesk.outreach import selectors
from libdesk.programs import selectors as programs

NEW_ARRIVALS_SHOWN = 25


@dataclass(frozen=True)
class Period:
    """What an issue covers, and how: from the previous issue to this one, in `language`,
    with the new-arrivals filter the staff chose."""

    since: datetime
    until: datetime
    language: str
    subject: str = ""
    material_type: str = ""


@dataclass(frozen=True)
class Entry:
    title: str
    text: str = ""
    path: str = ""  # a path on the library's site, made absolute when mailed


@dataclass(frozen=True)
class Content:
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    build: Callable[[Period], Content | None]
    order: int = 0


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add a section; registering the same key again replaces it (a second ready())."""
    _SECTIONS[section.key] = section
    return section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


def section_named(key: str) -> Section | None:
    return _SECTIONS.get(key)


def build(keys: list[str], period: Period) -> list[Content]:
    """The issue's sections with something to say, in the registry's order."""
    chosen = [section for section in sections() if section.key in keys]
    return [content for section in chosen if (content := section.build(period)) is not None]


def library_news(period: Period) -> Content | None:
    """The announcements published since the last issue."""
    news = selectors.published_announcements(period.since, period.until)
    if not news:
        return None
    entries = [
        Entry(item.title(period.language), item.body(period.language), reverse("outreach:news"))
        for item in reversed(news)
    ]
    return Content(_("Library news"), entries)


def new_arrivals(period: Period) -> Content | None:
    """Records whose copies arrived since the last issue, by the subject or format chosen."""
    arrivals = selectors.new_arrivals(
        period.since,
        period.until,
        subject=period.subject,
        material_type=period.material_type,
        limit=NEW_ARRIVALS_SHOWN,
    )
    if not arrivals:
        return None
    if period.subject:
        title = _("New arrivals: %(subject)s") % {"subject": period.subject}
    elif period.material_type:
        label = selectors.material_type_label(period.material_type)
        title = _("New arrivals: %(format)s") % {"format": label}
    else:
        title = _("New arrivals")
    entries = [
        Entry(
            arrival.record.title,
            ", ".join(arrival.record.authors[:2]),
            reverse("catalog:record", args=[arrival.record.pk]),
        )
        for arrival in arrivals
    ]
    return Content(title, entries)


def new_programs(period: Period) -> Content | None:
    """Programs added since the last issue that are still to come, soonest first."""
    events = programs.announced(period.since, period.until)
    if not events:
        return None
    entries = [
        Entry(
            event.title(period.language),
            f"{date_format(localtime(event.starts_at), 'DATETIME_FORMAT')}, {event.branch.name}",
            reverse("programs:event", args=[event.pk]),
        )
        for event in events
    ]
    return Content(_("New programs and events"), entries)


register(Section("news", gettext_lazy("Library news"), library_news, order=10))
register(Section("new_programs", gettext_lazy("New programs and events"), new_programs, order=20))
register(Section("new_arrivals", gettext_lazy("New arrivals"), new_arrivals, order=30))
