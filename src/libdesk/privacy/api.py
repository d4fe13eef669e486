"""Serving contexts over the API: a staff client opens one, then sends its id in the
X-Serving-Context header when it reads the patron's account."""

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Path, Router, Schema, Status

from libdesk.api.schemas import DetailOut, ForbiddenOut, RefusalOut
from libdesk.api.tokens import StaffBearer
from libdesk.core.bounds import CardNumber, Id, ShortText
from libdesk.privacy.models import Basis
from libdesk.privacy.services import (
    PatronNotFound,
    active_serving_context,
    end_serving_context,
    open_serving_context,
)

router = Router(tags=["serving"], auth=StaffBearer())
ContextId = Annotated[str, Path(max_length=64)]  # a UUID; anything else is simply not found


class ServingIn(Schema):
    patron_card: CardNumber = ""
    patron_id: Id | None = None
    basis: Basis
    note: ShortText = ""
    guardian_card: CardNumber = ""


class ServingOut(Schema):
    id: UUID
    expires_at: datetime


@router.post("", response={201: ServingOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut})
def open_context(request: HttpRequest, body: ServingIn):
    """Open a serving context on the presented card, or on a patron id with a recorded
    identity check. It ends when deleted, or after the idle time."""
    from libdesk.patrons.selectors import patron_by_card

    token = request.api_token
    guardian = patron_by_card(body.guardian_card) if body.guardian_card else None
    try:
        context = open_serving_context(
            token.staff,
            token.workstation,
            basis=body.basis,
            card=body.patron_card,
            patron_id=body.patron_id,
            guardian=guardian,
            note=body.note,
        )
    except PatronNotFound as exc:
        raise Http404 from exc
    idle = timedelta(minutes=settings.LIBDESK["SERVING_IDLE_MINUTES"])
    return Status(201, {"id": context.pk, "expires_at": context.last_used_at + idle})


@router.delete("/{context_id}", response={200: DetailOut, 404: DetailOut})
def end_context(request: HttpRequest, context_id: ContextId):
    token = request.api_token
    context = active_serving_context(context_id, token.staff, token.workstation)
    if context is None:
        raise Http404
    end_serving_context(context)
    return Status(200, {"detail": "Serving context ended."})
