"""Per-address limits on anonymous forms.

Counters live in Django's cache under a keyed hash of the address, so no address is stored
in clear, and they expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac
import math

from django.conf import settings
from django.core.cache import cache
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


def connect_signals(sender: object) -> None:
    post_migrate.connect(ensure_default_rules, sender=sender)


def check_anonymous_form(form: str, address: str) -> None:
    """Count one submission of `form` from `address`; raise Refused (429) past the limit."""
    rule = RateLimitRule.objects.filter(form=form).first()
    if rule is None:
        attempts, window = DEFAULT_RULES[form]
    else:
        attempts, window = rule.attempts, rule.window_seconds
    now = clock.now().timestamp()
    window_index = math.floor(now / window)
    key = f"ratelimit:{form}:{window_index}:{_address_key(address)}"
    cache.add(key, 0, timeout=window + 1)
    count = cache.incr(key)
    if count > attempts:
        retry_after = max(1, math.ceil((window_index + 1) * window - now))
        decision = Decision.refuse(
            "rate_limited",
            form=form,
            limit=attempts,
            window=max(1, window // 60),
            minutes=max(1, math.ceil(retry_after / 60)),
        )
        raise Refused(decision, status=429, retry_after=retry_after)


def _address_key(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
