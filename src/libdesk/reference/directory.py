"""The consumer-information directory, curated by the librarians who point people to it.

The policy lets staff direct people to sources of consumer information and never recommend a
product or service, so the directory lists sources (government consumer offices, independent
testing organisations, the library's own databases), by topic and in both languages. A source
is retired rather than deleted: an answer that cited it keeps naming it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from libdesk.access.table import Context, require
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core.bounds import LONG_TEXT_MAX
from libdesk.core.errors import InputError, NotFound
from libdesk.reference.models import ConsumerSource, ConsumerSourceKind, Topic

RESOURCE = "reference_directory"
NAME_MAX, URL_MAX, DESCRIPTION_MAX = 200, 500, min(LONG_TEXT_MAX, 2000)


@dataclass(frozen=True)
class Entry:
    """A source as a librarian describes it: the English name is required, the rest is not."""

    name_en: str
    topic: str
    kind: str
    name_fr: str = ""
    description_en: str = ""
    description_fr: str = ""
    url: str = ""
    active: bool = True


def save_source(
    staff: StaffUser, workstation, entry: Entry, source_id: int | None = None
) -> ConsumerSource:
    """Add a source (no `source_id`) or change one, retiring it included (`active=False`).
    Librarians and the Head Librarian curate; each save is audited by the source's id."""
    require(staff.role, RESOURCE, "change", Context.NONE)
    fields = asdict(_clean(entry))
    with transaction.atomic():
        if source_id is None:
            source = ConsumerSource.objects.create(**fields)
        else:
            source = ConsumerSource.objects.select_for_update().filter(pk=source_id).first()
            if source is None:
                raise NotFound
            for name, value in fields.items():
                setattr(source, name, value)
            source.save()
        audit.record(
            Actor.staff(staff, workstation),
            "reference.directory.save",
            object_type="consumer_source",
            object_id=source.pk,
        )
    return source


def _clean(entry: Entry) -> Entry:
    """Every field checked, naming the first one that is wrong."""
    name_en = _text("name_en", entry.name_en, NAME_MAX, required=True)
    name_fr = _text("name_fr", entry.name_fr, NAME_MAX)
    description_en = _text("description_en", entry.description_en, DESCRIPTION_MAX)
    description_fr = _text("description_fr", entry.description_fr, DESCRIPTION_MAX)
    if entry.topic not in Topic.values:
        raise InputError("topic", f"one of: {', '.join(Topic.values)}")
    if entry.kind not in ConsumerSourceKind.values:
        raise InputError("kind", f"one of: {', '.join(ConsumerSourceKind.values)}")
    url = entry.url.strip()
    if url:
        http_address("url", url)
    return Entry(
        name_en,
        entry.topic,
        entry.kind,
        name_fr,
        description_en,
        description_fr,
        url,
        bool(entry.active),
    )


def http_address(field: str, url: str) -> str:
    """An http or https address (never javascript: or a file), as sources and answers cite."""
    if len(url) > URL_MAX:
        raise InputError(field, f"at most {URL_MAX} characters")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise InputError(field, "an http or https address") from exc
    return url


def _text(field: str, value: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InputError(field, "please write it")
    if len(value) > limit:
        raise InputError(field, f"at most {limit} characters")
    return value


def retired_sources():
    """The sources taken off the list, for the curators to bring one back."""
    return ConsumerSource.objects.filter(active=False).order_by("topic", "name_en")


def source_to_edit(staff: StaffUser, source_id: int) -> ConsumerSource:
    """A source as its edit form shows it, retired ones included (404 if there is none)."""
    require(staff.role, RESOURCE, "change", Context.NONE)
    source = ConsumerSource.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound
    return source
