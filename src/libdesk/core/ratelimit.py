"""Per-address limits on anonymous forms and on catalogue searches.

Counters live in Django's cache (shared by every process: the files beside SQLite, the
database, or Redis) under a keyed hash of the address, so no address is stored in clear, and
they expire with their window. The database cache counts exactly, in one upsert; with the
others a burst of simultaneous requests may be counted a little short (a read and a write, not
an atomic increment); the limits are about sustained load, not single requests.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from libdesk.core import clock
from libdesk.core.decisions import Decision, Reason, Refused, register
from libdesk.core.models import RateLimitRule

EQUAL_CONSIDERATION = "OP-02-01-01/equal-consideration"

# The anonymous forms libdesk has, with their default limits; a library edits the rows.
DEFAULT_RULES = {
    "patron-sign-in": (10, 600),
    "staff-sign-in": (10, 600),
    "ask-why": (5, 3600),
    "ask-librarian": (5, 3600),
    "feedback": (10, 3600),
    "unsubscribe": (10, 3600),
    "event-registration": (10, 3600),
}

register(
    Reason(
        code="rate_limited",
        clauses=(EQUAL_CONSIDERATION,),
        reason=_(
            "There have been too many attempts from this connection in a short time. "
            "Please try again in {minutes} minutes; this keeps the service open to everyone. "
            "Staff at any branch can help you right away."
        ),
        short_reason=_("Too many attempts. Try again in {minutes} min or ask staff."),
        staff_reason=_(
            "The form '{form}' reached {limit} attempts from one address within "
            "{window} minutes; the next attempt is possible in {minutes} minutes."
        ),
    )
)


def ensure_default_rules(**_: object) -> None:
    """Create the default rows for forms that have none (after migrate and after flush)."""
    for form, (attempts, window) in DEFAULT_RULES.items():
        RateLimitRule.objects.get_or_create(
            form=form,
            defaults={
                "attempts": attempts,
                "window_seconds": window,
                "clause": EQUAL_CONSIDERATION,
            },
        )


register(
    Reason(
        code="search_rate_limited",
        clauses=(EQUAL_CONSIDERATION,),
        reason=_(
            "There have been too many searches from this connection in a short time. Please "
            "try again in {seconds} seconds; this keeps the catalogue open to everyone. Staff "
            "at any branch can help you find what you are looking for."
        ),
        short_reason=_("Too many searches. Try again in {seconds} s or ask staff."),
        staff_reason=_(
            "{limit} searches from one address within {window} seconds; the next search is "
            "possible in {seconds} seconds (LIBDESK_SEARCH_LIMIT)."
        ),
    )
)


def create_cache_table(using: str = "default", **_: object) -> None:
    """The database cache's table, created by `libdesk migrate` (and so in tests) whenever
    the cache is the database; nothing to do with Redis. Safe to repeat."""
    call_command("createcachetable", database=using, verbosity=0)


def connect_signals(sender: object) -> None:
    post_migrate.connect(ensure_default_rules, sender=sender)
    post_migrate.connect(create_cache_table, sender=sender)


def check_anonymous_form(form: str, address: str) -> None:
    """Count one submission of `form` from `address`; raise Refused (429) past the limit."""
    rule = RateLimitRule.objects.filter(form=form).first()
    if rule is None:
        attempts, window = DEFAULT_RULES[form]
    else:
        attempts, window = rule.attempts, rule.window_seconds
    count, retry_after = _hit(f"ratelimit:{form}", address, window)
    if count > attempts:
        decision = Decision.refuse(
            "rate_limited",
            form=form,
            limit=attempts,
            window=max(1, window // 60),
            minutes=max(1, math.ceil(retry_after / 60)),
        )
        raise Refused(decision, status=429, retry_after=retry_after)


def check_search(address: str) -> None:
    """Count one catalogue search from `address`; raise Refused (429) past the limit, which is
    sized for a branch's catalogue terminals behind one address (LIBDESK_SEARCH_LIMIT)."""
    limit = settings.LIBDESK["SEARCH_LIMIT"]
    window = settings.LIBDESK["SEARCH_WINDOW_SECONDS"]
    count, retry_after = _hit("ratelimit:search", address, window)
    if count > limit:
        decision = Decision.refuse(
            "search_rate_limited", limit=limit, window=window, seconds=retry_after
        )
        raise Refused(decision, status=429, retry_after=retry_after)


def _hit(counter: str, address: str, window: int) -> tuple[int, int]:
    """Count one hit in the current fixed window: the count so far, and the seconds until
    the window ends. The database cache counts in one statement (core/dbcache.py); any other
    cache is read, then written with its expiry (the database cache's incr would reset it)."""
    now = clock.now().timestamp()
    window_index = math.floor(now / window)
    key = f"{counter}:{window_index}:{_address_key(address)}"
    retry_after = max(1, math.ceil((window_index + 1) * window - now))
    lives = retry_after + 1  # until the window ends, and a second more
    if hasattr(cache, "count_hit"):
        count = cache.count_hit(key, timeout=lives)
    else:
        count = cache.get(key, 0) + 1
        cache.set(key, count, timeout=lives)
    return count, retry_after


def client_address(request) -> str:
    """The caller's address as every door counts it: behind a TLS proxy, waitress puts the
    forwarded one in REMOTE_ADDR (LIBDESK_TRUSTED_PROXY)."""
    return request.META.get("REMOTE_ADDR", "")


def _address_key(address: str) -> str:
    caller = caller_of(address)
    return hmac.new(settings.SECRET_KEY.encode(), caller.encode(), hashlib.sha256).hexdigest()[:32]


def caller_of(address: str) -> str:
    """Who a limit counts: an IPv4 address, or an IPv6 caller's whole /64 (a home or an office
    is given one, so every address in it is one caller, not 2^64 fresh ones)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))
