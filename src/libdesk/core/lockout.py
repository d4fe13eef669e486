"""Temporary lockout after repeated failed sign-ins or PIN checks, per account and channel.

Failures count within a window (LIBDESK_LOCKOUT_WINDOW_MINUTES) from the first one; the
threshold-th locks the channel for LIBDESK_LOCKOUT_MINUTES. A lock holds one channel of one
account: the other channel still works, and so does the desk serving the card in hand. An
unknown card or user name keeps a counter too, under a keyed hash, so that it answers exactly
as a known one does (status, code, time) without what was typed being stored; every counter is
deleted once its window and its lock have run out.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.core import clock, metrics
from libdesk.core.decisions import Decision, Reason, Refused, register
from libdesk.core.models import SignInLock

log = logging.getLogger(__name__)
ONLINE, KIOSK = "online", "kiosk"
CHANNELS = (ONLINE, KIOSK)
LOCK_HISTORY = timedelta(days=30)  # a past lock stays visible on the account this long

register(
    Reason(
        code="sign_in_locked",
        clauses=("OP-02-01-01/confidentiality-loans",),
        reason=_(
            "Too many wrong attempts to sign in to this account. To keep what is on the card "
            "private, signing in here is paused for {minutes} minutes. Staff at any branch can "
            "help you right away, or set a new PIN when you show your card or ID."
        ),
        short_reason=_("Account paused after wrong PINs. Try in {minutes} min or ask staff."),
        staff_reason=_(
            "Repeated failed sign-ins on the {channel} channel; that channel is locked for "
            "{minutes} more minutes. Other channels and the desk are not affected."
        ),
    )
)


def known(kind: str, pk: int) -> str:
    """The subject of a known account: "patron:7", "staff:12"."""
    return f"{kind}:{pk}"


def unknown(kind: str, typed: str) -> str:
    """The subject of a card or user name nobody has: a keyed hash, never the value. Exactly as
    typed, as accounts are found (a folded "NOSUCH" and "nosuch" would share a counter where
    "CLERK" and "clerk" do not, which would tell a real user name from one nobody has)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{typed.strip()}".encode(), hashlib.sha256
    )
    return f"anon:{digest.hexdigest()[:40]}"


def _limits() -> tuple[int, timedelta, timedelta]:
    limits = settings.LIBDESK
    return (
        limits["LOCKOUT_THRESHOLD"],
        timedelta(minutes=limits["LOCKOUT_WINDOW_MINUTES"]),
        timedelta(minutes=limits["LOCKOUT_MINUTES"]),
    )


def refusal_if_locked(subject: str, channel: str) -> Refused | None:
    """The 429 refusal to raise while the channel is locked, or None. Callers check the
    secret first anyway and raise this after, so a locked account costs the same time."""
    lock = SignInLock.objects.filter(subject=subject, channel=channel).first()
    now = clock.now()
    if lock is None or lock.locked_until is None or lock.locked_until <= now:
        return None
    retry_after = math.ceil((lock.locked_until - now).total_seconds())
    decision = Decision.refuse(
        "sign_in_locked", minutes=max(1, math.ceil(retry_after / 60)), channel=channel
    )
    return Refused(decision, status=429, retry_after=retry_after)


def check(subject: str, channel: str, verify: Callable[[], bool]) -> bool:
    """Check a secret under the lock: answers whether `verify()` (the hash comparison) said
    right, or raises the 429 while the channel is locked.

    The attempt takes its place in the count before the secret is checked, in one
    transaction with reading the lock: so concurrent guesses each count, and no more than the
    threshold are ever checked in a window, however many arrive at once. The secret is checked
    even when locked, so that a locked, unknown or known account costs the same time."""
    refusal = _reserve(subject, channel)
    right = verify()
    if refusal is not None:
        log.debug("secret checked on the %s channel while it is locked: refused", channel)
        metrics.sign_in_failed(channel, "locked")
        raise refusal
    # Never the subject, the name or card typed, nor the secret: only what happened.
    log.debug("secret checked on the %s channel: %s", channel, "right" if right else "wrong")
    if right:
        record_success(subject, channel)
    else:
        metrics.sign_in_failed(channel, "wrong")
        _lock_if_spent(subject, channel)
    return right


def _reserve(subject: str, channel: str) -> Refused | None:
    """Count this attempt as a failure until it proves right; the refusal to raise instead
    when the channel is locked, or every attempt of the window is already taken."""
    threshold, window, lock_time = _limits()
    now = clock.now()
    with transaction.atomic():
        SignInLock.objects.filter(expires_at__lte=now).delete()
        lock, _ = SignInLock.objects.select_for_update().get_or_create(
            subject=subject, channel=channel, defaults={"expires_at": now}
        )
        if lock.locked_until and lock.locked_until > now:
            return refusal_if_locked(subject, channel)
        if lock.first_failure_at is None or lock.first_failure_at <= now - window:
            lock.failures, lock.first_failure_at = 0, now
        if lock.failures >= threshold:  # the others are still being checked
            minutes = max(1, math.ceil(lock_time.total_seconds() / 60))
            decision = Decision.refuse("sign_in_locked", minutes=minutes, channel=channel)
            return Refused(decision, status=429, retry_after=int(lock_time.total_seconds()))
        lock.failures += 1
        lock.expires_at = _expiry(lock, now, window)
        lock.save()
    return None


def _lock_if_spent(subject: str, channel: str) -> None:
    """After a wrong secret (already counted): the threshold-th locks the channel."""
    threshold, window, lock_time = _limits()
    now = clock.now()
    with transaction.atomic():
        lock = SignInLock.objects.select_for_update().filter(subject=subject, channel=channel)
        lock = lock.first()
        if lock is None or (lock.locked_until and lock.locked_until > now):
            return
        if lock.failures >= threshold:
            lock.locked_at, lock.locked_until, lock.lifted_at = now, now + lock_time, None
            lock.failures, lock.first_failure_at = 0, None
            lock.expires_at = _expiry(lock, now, window)
            lock.save()


def _expiry(lock: SignInLock, now: datetime, window: timedelta) -> datetime:
    """When the row may go: after its counting window, and after its lock plus the time a
    patron or member of staff can still see it on their account (not kept for unknown ones)."""
    ends = [now + window]
    if lock.first_failure_at:
        ends.append(lock.first_failure_at + window)
    if lock.locked_until:
        history = timedelta(0) if lock.subject.startswith("anon:") else LOCK_HISTORY
        ends.append(lock.locked_until + history)
    return max(ends)


def record_success(subject: str, channel: str) -> None:
    """A right secret clears the count of wrong ones (a past lock stays on record)."""
    SignInLock.objects.filter(subject=subject, channel=channel).update(
        failures=0, first_failure_at=None
    )


@dataclass(frozen=True)
class LockState:
    channel: str
    locked_at: datetime
    locked_until: datetime
    lifted_at: datetime | None

    @property
    def active(self) -> bool:
        return self.lifted_at is None and self.locked_until > clock.now()


def locks_of(subject: str) -> list[LockState]:
    """The locks on record for an account (current ones, and those that ran out or were
    lifted while the row lives), for the patron's account and the staff screens."""
    return locks_by_subject([subject]).get(subject, [])


def locks_by_subject(subjects: list[str]) -> dict[str, list[LockState]]:
    """`locks_of` for many accounts in one query (the staff list)."""
    rows = SignInLock.objects.filter(subject__in=subjects, locked_at__isnull=False)
    found: dict[str, list[LockState]] = {}
    for r in rows.order_by("channel"):
        found.setdefault(r.subject, []).append(
            LockState(r.channel, r.locked_at, r.locked_until, r.lifted_at)
        )
    return found


def lift(subject: str, channels: tuple[str, ...] = CHANNELS) -> list[str]:
    """Staff lift a lock early (the patron is in front of them, or a PIN was reset). Returns
    the channels that were locked. The caller audits it, in its own transaction."""
    now = clock.now()
    locked = SignInLock.objects.filter(
        subject=subject, channel__in=channels, locked_until__gt=now, lifted_at__isnull=True
    )
    lifted = sorted(locked.values_list("channel", flat=True))
    locked.update(locked_until=now, lifted_at=now, failures=0, first_failure_at=None)
    return lifted
