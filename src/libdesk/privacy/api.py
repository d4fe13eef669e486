"""Privacy over the API. Serving contexts: a staff client opens one, then sends its id in the
X-Serving-Context header when it reads the patron's account. The parent exception online: a
guardian's own token reads each covered child's loans, holds and fees. Third-party requests:
the desk records one and is answered with the refusal the policy requires."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Path, Router, Schema, Status

from libdesk.access.purposes import Access
from libdesk.api.schemas import DecisionOut, DetailOut, ForbiddenOut, RefusalOut
from libdesk.api.tokens import PatronBearer, StaffBearer
from libdesk.circulation import reading_history
from libdesk.circulation import selectors as circulation
from libdesk.core.bounds import ID_MAX, CardNumber, Id, LongText, ShortText
from libdesk.privacy import disclosures
from libdesk.privacy.models import Basis, RequesterKind
from libdesk.privacy.selectors import child_for_guardian, covered_children
from libdesk.privacy.services import (
    NOTHING_PRESENTED,
    PatronNotFound,
    active_serving_context,
    end_serving_context,
    open_serving_context,
)

router = Router(tags=["serving"], auth=StaffBearer())
# Mounted at the API's root: /me/children... (patron tokens), /third-party-requests (staff).
disclosure_router = Router(tags=["serving"])
ContextId = Annotated[str, Path(max_length=64)]  # a UUID; anything else is simply not found
ChildId = Annotated[int, Path(ge=1, le=ID_MAX)]
# The bases a context opens on, and what the desk answers when a parent or guardian brought
# neither the child's card nor their own ID (always refused, with the clause).
BasisIn = Literal[(*Basis.values, NOTHING_PRESENTED)]  # type: ignore[valid-type]


class ServingIn(Schema):
    patron_card: CardNumber = ""
    patron_id: Id | None = None
    basis: BasisIn
    note: ShortText = ""
    guardian_card: CardNumber = ""


class ServingOut(Schema):
    id: UUID
    expires_at: datetime


@router.post("", response={201: ServingOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut})
def open_context(request: HttpRequest, body: ServingIn):
    """Open a serving context on the presented card, or on a patron id with a recorded
    identity check. It ends when deleted, or after the idle time.

    A parent or guardian asking about a child: a guardian basis, the child's card (or id, when
    the guardian's ID was checked) and the guardian's own card in `guardian_card`. Without the
    child's card or the guardian's ID (`guardian_nothing_presented`), or when the exception does
    not apply, the answer is 409 with the refusal to read to them, naming the clause."""
    token = request.api_token
    try:
        context = open_serving_context(
            token.staff,
            token.workstation,
            basis=body.basis,
            card=body.patron_card,
            patron_id=body.patron_id,
            guardian_card=body.guardian_card,
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


# --- The parent exception online ------------------------------------------------------------


class ChildOut(Schema):
    id: int
    name: str
    covered_until: date
    history_shared: bool  # the child chose to let their guardian see their reading history


class ChildLoanOut(Schema):
    record_id: int
    title: str
    due: date
    state: str


class ChildHoldOut(Schema):
    record_id: int
    title: str
    status: str
    position: int
    pickup_branch: str
    shelf_expires: date | None


class ChildFeeOut(Schema):
    kind: str
    amount: Decimal
    balance: Decimal
    created_at: datetime


class ChildHistoryOut(Schema):
    record_id: int
    title: str
    by: str
    returned_on: date


PATRON_TOKEN = PatronBearer()


def _child(request: HttpRequest, child_id: int) -> Access:
    return child_for_guardian(request.api_token.patron_id, child_id)[1]


@disclosure_router.get("/me/children", response=list[ChildOut], auth=PATRON_TOKEN)
def my_children(request: HttpRequest) -> list[dict]:
    """The children this guardian may see now: linked to them and under the age limit. Each
    has an internal id for the calls below (never a card number)."""
    return [
        {
            "id": c.id,
            "name": c.name,
            "covered_until": c.covered_until,
            "history_shared": reading_history.shown_to_guardian(c.id),
        }
        for c in covered_children(request.api_token.patron_id)
    ]


@disclosure_router.get(
    "/me/children/{child_id}/loans", response={200: list[ChildLoanOut]}, auth=PATRON_TOKEN
)
def child_loans(request: HttpRequest, child_id: ChildId) -> list[dict]:
    """The child's current loans. Recorded as a disclosure on the guardian's own sign-in: the
    privacy officer and the child (in their access log) see it. 404 for a child not linked to
    this guardian or past the age limit."""
    return [
        {
            "record_id": loan.item.record_id,
            "title": loan.item.record.title,
            "due": loan.due,
            "state": loan.state,
        }
        for loan in circulation.current_loans(_child(request, child_id))
    ]


@disclosure_router.get(
    "/me/children/{child_id}/holds", response={200: list[ChildHoldOut]}, auth=PATRON_TOKEN
)
def child_holds(request: HttpRequest, child_id: ChildId) -> list[dict]:
    """The child's holds and their place in line (recorded like the loans). No pickup code:
    the child collects, or the guardian at the desk with the child's card."""
    return [
        {
            "record_id": view.hold.record_id,
            "title": view.hold.record.title,
            "status": view.hold.status,
            "position": view.place.position,
            "pickup_branch": view.hold.pickup_branch.code,
            "shelf_expires": view.hold.shelf_expires,
        }
        for view in circulation.current_holds(_child(request, child_id))
    ]


@disclosure_router.get(
    "/me/children/{child_id}/fees", response={200: list[ChildFeeOut]}, auth=PATRON_TOKEN
)
def child_fees(request: HttpRequest, child_id: ChildId) -> list[dict]:
    """What the child owes (recorded like the loans)."""
    return [
        {
            "kind": fee.kind,
            "amount": fee.amount,
            "balance": fee.balance,
            "created_at": fee.created_at,
        }
        for fee in circulation.open_fees(_child(request, child_id))
    ]


@disclosure_router.get(
    "/me/children/{child_id}/history", response={200: list[ChildHistoryOut]}, auth=PATRON_TOKEN
)
def child_history(request: HttpRequest, child_id: ChildId) -> list[dict]:
    """The child's reading history, newest first, only if the child chose to let their
    guardian see it (`history_shared` in GET /me/children); otherwise 404, as for a child who
    keeps none. Recorded like the loans."""
    return [
        {
            "record_id": entry.record_id,
            "title": entry.record.title,
            "by": entry.record.responsibility,
            "returned_on": entry.returned_on,
        }
        for entry in reading_history.history(_child(request, child_id))
    ]


# --- Third-party requests -------------------------------------------------------------------


class ThirdPartyRequestIn(Schema):
    key: UUID
    requester_kind: Literal[tuple(RequesterKind.values)]  # type: ignore[valid-type]
    requester: ShortText
    concerns: ShortText
    asked: LongText
    patron_card: CardNumber = ""


class RecordedRequestOut(Schema):
    reference: str
    decision: DecisionOut


@disclosure_router.post(
    "/third-party-requests",
    response={201: RecordedRequestOut, 403: ForbiddenOut},
    auth=StaffBearer(),
)
def record_third_party_request(request: HttpRequest, body: ThirdPartyRequestIn):
    """Record someone's request for another person's information (who asked, about whom, what,
    in their words) for the privacy officer. The answer to give them is always the refusal in
    `decision` (the policy's confidentiality clauses), with the reference to quote. The same
    `key` sent again records nothing more and answers alike."""
    token = request.api_token
    details = disclosures.RequestDetails(
        requester_kind=body.requester_kind,
        requester=body.requester,
        concerns=body.concerns,
        asked=body.asked,
        patron_card=body.patron_card,
    )
    recorded = disclosures.record_request(token.staff, token.workstation, details, body.key)
    return Status(201, {"reference": recorded.reference, "decision": recorded.decision.as_json()})
