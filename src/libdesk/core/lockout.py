"""Temporary lockout after repeated failed sign-ins or PIN checks, per account and channel."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from libdesk.core import clock
from libdesk.core.decisions import Decision, Reason, Refused, register
from libdesk.core.models import SignInLock

ONLINE, KIOSK = "online", "kiosk"

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
            "{failures} failed sign-ins on the {channel} channel; that channel is locked for "
            "{minutes} more minutes. Other channels are not affected."
        ),
    )
)


def check_not_locked(subject: str, channel: str) -> None:
    """Raise Refused (429) while the channel is locked for this account."""
    lock = SignInLock.objects.filter(subject=subject, channel=channel).first()
    if lock and lock.locked_until and lock.locked_until > clock.now():
        retry_after = math.ceil((lock.locked_until - clock.now()).total_seconds())
        decision = Decision.refuse(
            "sign_in_locked",
            minutes=max(1, math.ceil(retry_after / 60)),
            failures=lock.failures,
            channel=channel,
        )
        raise Refused(decision, status=429, retry_after=retry_after)


def record_failure(subject: str, channel: str) -> None:
    """Count a failure; the threshold-th failure locks the channel for the lock time.

    Runs in its own transaction so the count survives the failed sign-in's response.
    """
    limits = settings.LIBDESK
    with transaction.atomic():
        lock, _ = SignInLock.objects.select_for_update().get_or_create(
            subject=subject, channel=channel
        )
        if lock.locked_until and lock.locked_until <= clock.now():
            lock.failures = 0  # a lock that ran out starts the count again
            lock.locked_until = None
        lock.failures += 1
        if lock.failures >= limits["LOCKOUT_THRESHOLD"]:
            lock.locked_until = clock.now() + timedelta(minutes=limits["LOCKOUT_MINUTES"])
        lock.save()


def record_success(subject: str, channel: str) -> None:
    SignInLock.objects.filter(subject=subject, channel=channel).delete()


def unlock(subject: str) -> None:
    """Staff resetting a PIN also lifts the locks it caused, on every channel."""
    SignInLock.objects.filter(subject=subject).delete()
