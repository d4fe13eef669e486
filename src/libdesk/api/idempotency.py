"""Idempotency keys: a retried call (a double scan, a network retry) gets the first answer.

The reply is stored in the same transaction as the work, so either both commit or neither;
two racing calls with one key end with one piece of work and one stored answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from libdesk.api.models import IdempotentReply
from libdesk.core import clock
from libdesk.core.decisions import Refused
from libdesk.core.statements import Delete, Insert, Select

KEEP_FOR = timedelta(hours=24)
MAX_KEY = 100


class KeyReused(Exception):
    """The same key came with a different request: a client bug, answered 422."""


Reply = tuple[int, dict, int | None]  # status, body, the loan it concerns (if any)


def _fingerprint(request: HttpRequest, payload: dict) -> str:
    canonical = json.dumps([request.method, request.path, payload], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay_or_run(
    request: HttpRequest, payload: dict, run: Callable[[], Reply]
) -> tuple[int, dict]:
    """Run `run` once per key; a refusal is an answer too and is replayed as such."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return _answer(run)[:2]
    if len(key) > MAX_KEY:
        raise KeyReused(f"Idempotency-Key is longer than {MAX_KEY} characters")
    token, fingerprint = request.api_token, _fingerprint(request, payload)
    try:
        with transaction.atomic():
            stored = STORED_REPLY.first(token=token.pk, key=key)
            if stored is not None:
                return _replayed(stored, fingerprint)
            status, body, loan_id = _answer(run)
            NEW_REPLY.run(
                token_id=token.pk,
                key=key,
                request_hash=fingerprint,
                status=status,
                body=body,
                loan_id=loan_id,
                created_at=clock.now(),
            )
            return status, body
    except IntegrityError:  # a concurrent call with this key committed first
        stored = IdempotentReply.objects.get(token=token, key=key)
        return _replayed(stored, fingerprint)


def _answer(run: Callable[[], Reply]) -> Reply:
    try:
        with transaction.atomic():
            return run()
    except Refused as refused:
        return refused.status, {"decision": refused.decision.as_json()}, None


def _replayed(stored: IdempotentReply, fingerprint: str) -> tuple[int, dict]:
    if stored.request_hash != fingerprint:
        raise KeyReused("this Idempotency-Key was used with a different request")
    return stored.status, stored.body


STORED_REPLY = Select(
    lambda token, key: IdempotentReply.objects.filter(token_id=token, key=key)[:1],
    token=int,
    key=str,
)
NEW_REPLY = Insert(
    IdempotentReply,
    token_id=int,
    key=str,
    request_hash=str,
    status=int,
    body=dict,
    loan_id=int,
    created_at=datetime,
)
FORGET_LOAN = Delete(lambda loan: IdempotentReply.objects.filter(loan_id=loan), loan=int)


def forget_loan(loan_id: int) -> None:
    """Called in the transaction that unlinks a loan from its patron."""
    FORGET_LOAN.run(loan=loan_id)


def purge_expired() -> int:
    return IdempotentReply.objects.filter(created_at__lt=clock.now() - KEEP_FOR).delete()[0]
