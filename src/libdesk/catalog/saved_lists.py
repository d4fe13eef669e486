"""A patron's saved lists: named lists of records they make, fill, rename and delete from the
catalogue. Nothing else fills them (not the patron's loans: a list is what they chose to keep,
never a reading history kept for them). Only the patron reads or changes them (the access
table's "patron.lists", in the patron's own context); each change is one transaction and
audited by ids only, never a list's name or its titles."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from libdesk.access.purposes import Access
from libdesk.audit import services as audit
from libdesk.catalog.models import Record, SavedList, SavedListEntry
from libdesk.core.errors import InputError, NotFound

NAME_MAX = 80
LISTS_MAX = 50  # lists per patron
ENTRIES_MAX = 1000  # records per list


class ListError(InputError):
    pass


def lists_of(access: Access) -> list[SavedList]:
    """The patron's lists, each with `size`, by name."""
    access.read("patron.lists", "lists")
    return list(
        SavedList.objects.filter(patron_id=access.patron_id)
        .annotate(size=Count("entries"))
        .order_by("name", "pk")
    )


def list_of(access: Access, list_id: int) -> SavedList:
    """One of the patron's lists; anyone else's is not found."""
    access.read("patron.lists", "lists")
    found = SavedList.objects.filter(pk=list_id, patron_id=access.patron_id).first()
    if found is None:
        raise NotFound
    return found


def entries_of(saved: SavedList) -> list[SavedListEntry]:
    return list(saved.entries.select_related("record").defer("record__marc"))


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ListError("name", _("Give the list a name."))
    if len(cleaned) > NAME_MAX:
        raise ListError("name", _("A list's name has at most %(n)s characters.") % {"n": NAME_MAX})
    return cleaned


def create_list(access: Access, name: str) -> SavedList:
    access.change("patron.lists")
    name = _name(name)
    with transaction.atomic():
        if SavedList.objects.filter(patron_id=access.patron_id).count() >= LISTS_MAX:
            raise ListError(
                "name", _("You have %(n)s lists, the most one can keep.") % {"n": LISTS_MAX}
            )
        try:
            with transaction.atomic():
                made = SavedList.objects.create(patron_id=access.patron_id, name=name)
        except IntegrityError:
            raise ListError("name", _("You already have a list with this name.")) from None
        _audit(access, made)
    return made


def list_named(access: Access, name: str) -> SavedList:
    """The patron's list with this name, made now if they have none."""
    found = SavedList.objects.filter(patron_id=access.patron_id, name=_name(name)).first()
    return found if found is not None else create_list(access, name)


def rename_list(access: Access, list_id: int, name: str) -> SavedList:
    access.change("patron.lists")
    name = _name(name)
    with transaction.atomic():
        saved = _locked(access, list_id)
        if SavedList.objects.filter(patron_id=access.patron_id, name=name).exclude(pk=saved.pk):
            raise ListError("name", _("You already have a list with this name."))
        saved.name = name
        saved.save(update_fields=["name"])
        _audit(access, saved)
    return saved


def delete_list(access: Access, list_id: int) -> None:
    access.change("patron.lists")
    with transaction.atomic():
        saved = _locked(access, list_id)
        _audit(access, saved)
        saved.delete()


def add_record(access: Access, list_id: int, record_id: int) -> bool:
    """Put a record on one of the patron's lists; False when it was on it already."""
    access.change("patron.lists")
    with transaction.atomic():
        saved = _locked(access, list_id)
        record = Record.objects.filter(pk=record_id).only("pk").first()
        if record is None:
            raise NotFound
        if saved.entries.filter(record=record).exists():
            return False
        if saved.entries.count() >= ENTRIES_MAX:
            raise ListError(
                "list_id", _("A list holds at most %(n)s records.") % {"n": ENTRIES_MAX}
            )
        SavedListEntry.objects.create(saved_list=saved, record=record)
        _audit(access, saved)
    return True


def remove_record(access: Access, list_id: int, record_id: int) -> None:
    access.change("patron.lists")
    with transaction.atomic():
        saved = _locked(access, list_id)
        if saved.entries.filter(record_id=record_id).delete()[0]:
            _audit(access, saved)


def _locked(access: Access, list_id: int) -> SavedList:
    found = (
        SavedList.objects.select_for_update().filter(pk=list_id, patron_id=access.patron_id).first()
    )
    if found is None:
        raise NotFound
    return found


def _audit(access: Access, saved: SavedList) -> None:
    audit.record(
        access.actor,
        "patron.lists.change",
        object_type="saved_list",
        object_id=saved.pk,
        patron_id=access.patron_id,
    )
