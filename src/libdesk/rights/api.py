"""Patrons' rights over the JSON API, for the signed-in patron: consent per purpose, the
reading history, and "download my data". Listed under the patrons tag, beside the rest of
`/me`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from libdesk.access.purposes import Access
from libdesk.api.tokens import PatronBearer
from libdesk.circulation import reading_history
from libdesk.patrons import selectors as patron_selectors
from libdesk.patrons import services as patron_services
from libdesk.patrons.models import ConsentChannel, ConsentPurpose
from libdesk.rights.selectors import export_for

router = Router(tags=["patrons"], auth=PatronBearer())


class ConsentOut(Schema):
    purpose: str
    label: str
    given: bool
    policy_version: str
    channel: str
    at: datetime | None


class ConsentsIn(Schema):
    """Your answer for each purpose; a purpose left out stays as it is."""

    reading_history: bool | None = None
    guardian_visibility: bool | None = None
    newsletters: bool | None = None


class HistoryEntryOut(Schema):
    record_id: int
    title: str
    by: str
    returned_on: date


class DeletedOut(Schema):
    deleted: int


class ExportSectionOut(Schema):
    kind: str
    title: str
    how_long_it_is_kept: str
    when_you_close_your_account: str
    rows: list[dict[str, Any]]


class ExportOut(Schema):
    exported_at: datetime
    sections: list[ExportSectionOut]


def _own(request: HttpRequest) -> Access:
    return Access.own(request.api_token.patron_id)


def _consents(access: Access) -> list[dict]:
    return [
        {
            "purpose": purpose,
            "label": str(ConsentPurpose(purpose).label),
            "given": bool(record and record.given),
            "policy_version": record.policy_version if record else "",
            "channel": record.channel if record else "",
            "at": record.at if record else None,
        }
        for purpose, record in patron_selectors.consents(access).items()
    ]


@router.get("/me/consents", response=list[ConsentOut])
def my_consents(request: HttpRequest) -> list[dict]:
    """My answer for each purpose libdesk asks consent for, with the policy version, time and
    channel it was given or withdrawn (never asked counts as no)."""
    return _consents(_own(request))


@router.put("/me/consents", response=list[ConsentOut])
def change_my_consents(request: HttpRequest, body: ConsentsIn) -> list[dict]:
    """Give or withdraw consent. Withdrawing consent to keep a reading history deletes it."""
    access = _own(request)
    choices = {k: v for k, v in body.dict().items() if v is not None}
    patron_services.set_consents(access, choices, ConsentChannel.API)
    return _consents(access)


@router.get("/me/history", response=list[HistoryEntryOut])
def my_history(request: HttpRequest) -> list[dict]:
    """My reading history, newest first: kept only while I consent to it."""
    return [
        {
            "record_id": entry.record_id,
            "title": entry.record.title,
            "by": entry.record.responsibility,
            "returned_on": entry.returned_on,
        }
        for entry in reading_history.history(_own(request))
    ]


@router.delete("/me/history", response=DeletedOut)
def delete_my_history(request: HttpRequest) -> dict:
    """Delete my whole reading history (my consent stands until I withdraw it)."""
    return {"deleted": reading_history.delete_history(_own(request))}


@router.get("/me/export", response=ExportOut)
def export_my_data(request: HttpRequest) -> dict:
    """Everything libdesk holds about me, as JSON: my record, loans, holds, fees, requests,
    consent, reading history, sign-ins, who looked at my record, and how long each is kept."""
    return export_for(_own(request))
