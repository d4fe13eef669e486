"""Idempotency keys: a retried call (a double scan, a network retry) gets the first answer.

The reply is stored in the same transaction as the work, so either both commit or neither;
two racing calls with one key end with one piece of work and one stored answer.

Nothing stored lets someone with a copy of the database learn who asked for what
(PRIVACY.md): a reply is found by a keyed hash of the token and the key (no link to the token,
so none to its patron), the request is compared by a keyed hash (hashing every card and barcode
in the catalogue matches nothing without the secret key, kept outside the database), and the
answer itself is sealed (AES, Fernet) with a key derived from the secret key and the client's
own Idempotency-Key, which is never stored: only the client that asked can have it opened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from libdesk.api.models import IdempotentReply
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.core.statements import Delete, Insert, Select

KEEP_FOR = timedelta(hours=24)
MAX_KEY = 100


class KeyReused(Exception):
    """The same key came with a different request: a client bug, answered 422."""


Reply = tuple[int, dict, int | None]  # status, body, the loan it concerns (if any)


def _keyed(purpose: str, text: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def _lookup(token_id: str, key: str) -> str:
    return _keyed("reply", f"{token_id}:{key}")


def _fingerprint(request: HttpRequest, payload: dict) -> str:
    canonical = json.dumps([request.method, request.path, payload], sort_keys=True, default=str)
    return _keyed("request", canonical)


def _seal(token_id: str, key: str) -> Fernet:
    """The cipher for one reply: only the secret key and the client's own key open it."""
    derived = hashlib.sha256(_keyed("seal", f"{token_id}:{key}").encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def replay_or_run(
    request: HttpRequest, payload: dict, run: Callable[[], Reply]
) -> tuple[int, dict]:
    """Run `run` once per key; a refusal is an answer too and is replayed as such."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return _answer(run)[:2]
    if len(key) > MAX_KEY:
        raise KeyReused(f"Idempotency-Key is longer than {MAX_KEY} characters")
    token_id = request.api_token.public_id
    lookup, fingerprint = _lookup(token_id, key), _fingerprint(request, payload)
    try:
        with transaction.atomic():
            stored = STORED_REPLY.first(lookup=lookup)
            if stored is not None:
                return _replayed(stored, fingerprint, token_id, key)
            status, body, loan_id = _answer(run)
            NEW_REPLY.run(
                lookup=lookup,
                request_hash=fingerprint,
                status=status,
                sealed=_seal(token_id, key).encrypt(json.dumps(body).encode()).decode(),
                loan_id=loan_id,
                created_at=clock.now(),
            )
            return status, body
    except IntegrityError:  # a concurrent call with this key committed first
        stored = IdempotentReply.objects.get(lookup=lookup)
        return _replayed(stored, fingerprint, token_id, key)


def _answer(run: Callable[[], Reply]) -> Reply:
    try:
        with transaction.atomic():
            return run()
    except Refused as refused:
        return refused.status, {"decision": refused.decision.as_json()}, None


def _replayed(stored: IdempotentReply, fingerprint: str, token_id: str, key: str):
    if not hmac.compare_digest(stored.request_hash, fingerprint):
        raise KeyReused("this Idempotency-Key was used with a different request")
    try:
        body = json.loads(_seal(token_id, key).decrypt(stored.sealed.encode()))
    except InvalidToken as exc:  # sealed under a secret key since replaced: a client bug too
        raise KeyReused("this Idempotency-Key's answer can no longer be opened") from exc
    return stored.status, body


STORED_REPLY = Select(lambda lookup: IdempotentReply.objects.filter(lookup=lookup)[:1], lookup=str)
NEW_REPLY = Insert(
    IdempotentReply,
    lookup=str,
    request_hash=str,
    status=int,
    sealed=str,
    loan_id=int,
    created_at=datetime,
)
FORGET_LOAN = Delete(lambda loan: IdempotentReply.objects.filter(loan_id=loan), loan=int)


def forget_loan(loan_id: int) -> None:
    """Called in the transaction that unlinks a loan from its patron."""
    FORGET_LOAN.run(loan=loan_id)


def purge_expired() -> int:
    return IdempotentReply.objects.filter(created_at__lt=clock.now() - KEEP_FOR).delete()[0]


def register_store() -> None:
    from libdesk.core.retention import Store, register_store

    register_store(
        Store(
            name="api.replies",
            label=_("Answers kept for apps that retry"),
            text=_(
                "So that an app sending the same request twice is not lent an item twice: "
                "sealed so only that app can read it, and deleted at check-in, or after a day."
            ),
            purge=purge_expired,
            fixed=_("one day"),
        )
    )
