"""Issuing, checking and revoking API tokens.

A token reads `ldk_<id>_<secret>`: the id finds the row, the secret is compared by hash in
constant time. Only the hash is stored; the token itself is shown once, when issued.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from ninja.security import HttpBearer

from libdesk.api.models import ApiToken
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.statements import Select

log = logging.getLogger(__name__)
PREFIX = "ldk"


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    bearer: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(**holder) -> Issued:
    public_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(public_id=public_id, secret_hash=_hash(secret), **holder)
    log.debug("issued %s API token %s", holder["kind"], public_id)  # the public part only
    return Issued(token, f"{PREFIX}_{public_id}_{secret}")


def issue_staff_token(staff, workstation) -> Issued:
    now = clock.now()
    with transaction.atomic():
        issued = _issue(
            kind=ApiToken.STAFF,
            staff=staff,
            workstation=workstation,
            holder_stamp=staff.credential_stamp,
            created_at=now,
            expires_at=now + timedelta(days=settings.LIBDESK["STAFF_TOKEN_DAYS"]),
        )
        audit.record(
            Actor.system("cli"),
            "token.issue",
            object_type="token",
            object_id=issued.token.public_id,
            reason="staff",
        )
    return issued


def issue_patron_token(patron) -> Issued:
    now = clock.now()
    with transaction.atomic():
        issued = _issue(
            kind=ApiToken.PATRON,
            patron=patron,
            holder_stamp=patron.credential_stamp,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.LIBDESK["PATRON_TOKEN_MINUTES"]),
        )
        audit.record(
            Actor.patron(patron.pk),
            "token.issue",
            object_type="token",
            object_id=issued.token.public_id,
            patron_id=patron.pk,
            reason="patron",
        )
    return issued


# Every API call resolves its token: compiled once (core.statements).
LIVE_TOKEN = Select(
    lambda public_id, kind, now: ApiToken.objects.select_related(
        "staff", "workstation__branch", "patron"
    ).filter(public_id=public_id, kind=kind, revoked_at__isnull=True, expires_at__gt=now)[:1],
    public_id=str,
    kind=str,
    now=datetime,
)


def resolve(bearer: str, kind: str) -> ApiToken | None:
    """The live token this bearer string stands for, or None."""
    parts = bearer.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    token = LIVE_TOKEN.first(public_id=parts[1], kind=kind, now=clock.now())
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return _refused(parts[1], "unknown, ended or wrong secret")
    holder = token.staff if kind == ApiToken.STAFF else token.patron
    if not hmac.compare_digest(token.holder_stamp, holder.credential_stamp):
        return _refused(parts[1], "the holder's credentials changed since it was issued")
    if kind == ApiToken.STAFF and not (token.staff.is_active and token.workstation.active):
        return _refused(parts[1], "the member of staff or the workstation is disabled")
    if kind == ApiToken.PATRON and token.patron.card_lost_at:
        return _refused(parts[1], "the card was reported lost")
    return token


def _refused(public_id: str, why: str) -> None:
    log.debug("API token %s refused: %s", public_id, why)


def staff_tokens(username: str | None = None):
    """Staff tokens for `libdesk tokens list`, newest first (never their secrets)."""
    tokens = ApiToken.objects.filter(kind=ApiToken.STAFF).select_related("staff", "workstation")
    return tokens.filter(staff__username=username) if username else tokens


def staff_token_by_id(public_id: str) -> ApiToken | None:
    """A staff token by its public id, for revoking it from the command line."""
    return ApiToken.objects.filter(kind=ApiToken.STAFF, public_id=public_id).first()


def revoke(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


class _TokenBearer(HttpBearer):
    kind: str

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = resolve(token, self.kind)
        if found is not None:
            request.api_token = found
        return found


class StaffBearer(_TokenBearer):
    """A staff token: the caller is a member of staff at the token's workstation."""

    kind = ApiToken.STAFF


class PatronBearer(_TokenBearer):
    """A patron token: the caller is that patron, reading their own account."""

    kind = ApiToken.PATRON
