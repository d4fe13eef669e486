"""Every retention period in one place: what the daily jobs and `libdesk privacy purge` apply,
and what the public page "How long we keep information" lists (PRIVACY.md, lifecycle).

Two sources, both filled from above so that core imports no app:
- the patron-data registry (core/patron_data.py): each kind of patron-linked rows, with its
  retention text, the setting that bounds it, and its purge;
- the stores that hold no patron rows of their own but could still tell something about a
  patron for a while (log files, the demo's mail files, the API's stored replies, expired cache
  entries still on disk), registered here by the app that keeps each one.

Each purge runs in its own transaction and only deletes or unlinks what is past its period, so
a purge killed half-way leaves every store consistent, and running it again finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from libdesk.core import patron_data


@dataclass(frozen=True)
class Store:
    """A store kept only for a while. `setting` names the LIBDESK setting that bounds it (its
    unit from its name: _DAYS, _HOURS, _MINUTES), or `fixed` says how long in words."""

    name: str
    label: str | Promise
    text: str | Promise
    purge: Callable[[], int]
    setting: str = ""
    fixed: str | Promise = ""


@dataclass(frozen=True)
class Period:
    """One line of the public page."""

    label: str
    text: str
    how_long: str
    setting: str


_STORES: dict[str, Store] = {}


def register_store(store: Store) -> Store:
    """Add a store; registering the same one again (a second ready()) changes nothing."""
    _STORES[store.name] = store
    return store


def stores() -> list[Store]:
    return sorted(_STORES.values(), key=lambda store: store.name)


def how_long(setting: str) -> str:
    """A setting's current value in words: "30 days", "24 hours"."""
    value = settings.LIBDESK[setting]
    if setting.endswith("_HOURS"):
        return ngettext("%(n)d hour", "%(n)d hours", value) % {"n": value}
    if setting.endswith("_MINUTES"):
        return ngettext("%(n)d minute", "%(n)d minutes", value) % {"n": value}
    return ngettext("%(n)d day", "%(n)d days", value) % {"n": value}


def periods() -> list[Period]:
    """What the public page lists: every kind of patron data, then every other store."""
    lines = [
        Period(
            str(kind.label),
            str(kind.retention.text),
            how_long(kind.retention.setting) if kind.retention.setting else "",
            kind.retention.setting,
        )
        for kind in sorted(patron_data.kinds(), key=lambda kind: str(kind.label))
    ]
    lines += [
        Period(
            str(store.label),
            str(store.text),
            how_long(store.setting) if store.setting else str(store.fixed),
            store.setting,
        )
        for store in stores()
    ]
    return lines


def purge_all() -> dict[str, int]:
    """Apply every retention period now; answers what each purge removed, by name."""
    done: dict[str, int] = {}
    jobs = [*patron_data.purges().items(), *((store.name, store.purge) for store in stores())]
    for name, purge in jobs:
        with transaction.atomic():
            done[name] = purge()
    return done


def purge_expired_cache_entries() -> int:
    """Delete cache entries past their expiry that are still on disk or in the database (rate
    limit counters are keyed by hashes, but still say when an address or account was busy).
    The file cache (diskcache) and the database cache (core/dbcache.py) keep them until
    culled; Redis and the in-memory cache drop them by themselves."""
    deleted = 0
    for alias in settings.CACHES:
        cache = caches[alias]
        if hasattr(cache, "expire"):  # diskcache's DjangoCache, libdesk's database cache
            deleted += cache.expire() or 0
    return deleted


def register_core_stores() -> None:
    register_store(
        Store(
            name="core.cache_entries",
            label=_("Counters against abuse"),
            text=_(
                "How many times an address or an account tried to sign in or search, kept "
                "under a one-way code, never with what was typed: gone when its window ends."
            ),
            purge=purge_expired_cache_entries,
            fixed=_("minutes (the counting window)"),
        )
    )
