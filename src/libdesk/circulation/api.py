"""Circulation over the JSON API: checkout, check-in, renewal, holds, requests, and the
patron's own loans, holds and requests. Refusals are 409 with the Decision; any state-changing
call may carry an Idempotency-Key header."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404, HttpRequest, JsonResponse
from ninja import Field, Path, Router, Schema

from libdesk.access.table import DESK_ROLES, AccessDenied
from libdesk.api.idempotency import replay_or_run
from libdesk.api.schemas import DecisionOut, DetailOut, ForbiddenOut, RefusalOut
from libdesk.api.serving import Served, ServingHeader, served
from libdesk.api.tokens import PatronBearer, StaffBearer
from libdesk.catalog.models import Record
from libdesk.circulation import selectors, services
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import Hold, OverrideReason, PatronRequest, RequestKind, Via
from libdesk.circulation.services.alternatives import alternatives_for
from libdesk.core.bounds import ID_MAX, Barcode, Code, Id, LongText, SaneDate, ShortList, ShortText
from libdesk.core.decisions import Decision
from libdesk.library.models import Branch

router = Router(tags=["circulation"])
BOTH = [StaffBearer(), PatronBearer()]


# Every field has a declared range (core.bounds): out of range answers 422 naming it.
RequiredBarcode = Annotated[Barcode, Field(min_length=1)]
PathId = Annotated[int, Path(ge=1, le=ID_MAX)]


class OverrideIn(Schema):
    reason: Literal[tuple(OverrideReason.values)]  # type: ignore[valid-type]
    note: Annotated[str, Field(max_length=300)]


class CheckoutIn(Schema):
    item_barcode: RequiredBarcode
    override: OverrideIn | None = None


class BarcodeIn(Schema):
    item_barcode: RequiredBarcode
    override: OverrideIn | None = None


class LoanOut(Schema):
    loan_id: int
    item_barcode: str
    record_id: int
    due: date
    decision: DecisionOut


class PickupOut(Schema):
    pickup_code: str
    pickup_branch: str


class CheckinOut(Schema):
    item_barcode: str
    status: str
    hold: PickupOut | None


class HoldIn(Schema):
    record_id: Id | None = None
    item_barcode: RequiredBarcode | None = None
    any_edition: bool = False
    formats: ShortList[Code] = []
    pickup_branch: Code


class HoldOut(Schema):
    id: int
    status: str
    position: int
    estimated_wait_days: int | None
    record_id: int
    pickup_branch: str
    suspended_until: date | None = None
    shelf_expires: date | None = None
    pickup_code: str = ""


class SuspendIn(Schema):
    until: SaneDate | None = None


class RequestIn(Schema):
    kind: Literal[tuple(RequestKind.values)]  # type: ignore[valid-type]
    record_id: Id | None = None
    title: ShortText = ""
    author: ShortText = ""
    isbn: Barcode = ""
    note: LongText = ""
    pickup_branch: Code | None = None


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    author: str
    record_id: int | None
    submitted_at: str
    closed_at: str | None
    decision: DecisionOut | None = None


class MyLoanOut(Schema):
    loan_id: int
    item_barcode: str
    record_id: int
    title: str
    due: date
    renewals_used: int
    state: str


class FeeOut(Schema):
    fee_id: int
    kind: str
    amount: Decimal
    balance: Decimal
    created_at: datetime


class AlternativesOut(Schema):
    record_id: int
    alternatives: list[dict] = Field(default_factory=list)


# A checkout or renewal may be refused 403 for the role (ForbiddenOut), or because the caller
# asked for an override their role cannot make (a Decision: override_not_permitted).
OVERRIDE_FORBIDDEN = ForbiddenOut | RefusalOut


def _reply(status: int, body: dict) -> JsonResponse:
    """The answer exactly as stored, so a replayed call is byte-for-byte the first one."""
    return JsonResponse(body, status=status)


def _staff_desk(request: HttpRequest) -> Desk:
    token = request.api_token
    if token.staff.role not in DESK_ROLES:
        raise AccessDenied("circulation needs a desk role")
    return Desk.staff_at(token.staff, token.workstation, via=Via.API)


def _acting(request: HttpRequest, context_id: str | None) -> tuple[Desk, Served]:
    """Who acts (a desk, or the patron serving themselves) and for which patron."""
    token = request.api_token
    desk = (
        Desk.self_service(token.patron.home_branch)
        if token.patron_id is not None
        else _staff_desk(request)
    )
    return desk, served(request, context_id)


def _fingerprint(body: dict, context_id: str | None) -> dict:
    """What an Idempotency-Key stands for: the body and the serving context it was sent in."""
    return {**body, "serving": context_id or ""}


def _override(body) -> OverrideRequest | None:
    return OverrideRequest(body.override.reason, body.override.note) if body.override else None


def _loan_body(result: services.LoanResult) -> dict:
    loan = result.loan
    return {
        "loan_id": loan.pk,
        "item_barcode": loan.item.barcode,
        "record_id": loan.item.record_id,
        "due": loan.due.isoformat(),
        "decision": result.decision.as_json(),
    }


@router.post(
    "/circulation/checkout",
    response={200: LoanOut, 201: LoanOut, 403: OVERRIDE_FORBIDDEN, 404: DetailOut, 409: RefusalOut},
    auth=StaffBearer(),
)
def checkout(request: HttpRequest, body: CheckoutIn, x_serving_context: ServingHeader = None):
    """Lend an item to the patron being served (the serving context opened on their card)."""
    desk, who = _acting(request, x_serving_context)
    who.access.change("patron.loans")

    def run():
        result = services.checkout(desk, who.patron, body.item_barcode, override=_override(body))
        return (201 if result.created else 200), _loan_body(result), result.loan.pk

    return _reply(*replay_or_run(request, _fingerprint(body.dict(), x_serving_context), run))


@router.post(
    "/circulation/checkin", response={200: CheckinOut, 403: ForbiddenOut}, auth=StaffBearer()
)
def checkin(request: HttpRequest, body: BarcodeIn):
    """The item is back: where it goes next, and the pickup code if a hold gets it. No patron
    is named, so no serving context is needed."""
    desk = _staff_desk(request)

    def run():
        result = services.checkin(desk, body.item_barcode)
        hold = result.hold
        return (
            200,
            {
                "item_barcode": result.item.barcode,
                "status": result.item.status,
                "hold": {"pickup_code": hold.pickup_code, "pickup_branch": hold.pickup_branch.code}
                if hold is not None
                else None,
            },
            None,
        )

    return _reply(*replay_or_run(request, body.dict(), run))


@router.post(
    "/circulation/renew",
    response={200: LoanOut, 403: OVERRIDE_FORBIDDEN, 404: DetailOut, 409: RefusalOut},
    auth=BOTH,
)
def renew(request: HttpRequest, body: BarcodeIn, x_serving_context: ServingHeader = None):
    """Renew one of the patron's loans by its item's barcode (a patron token: its own loans;
    a staff token: the loans of the patron being served)."""
    desk, who = _acting(request, x_serving_context)

    def run():
        item = services.item_by_barcode(body.item_barcode)
        loan = selectors.loan_of_item_for(who.access, item, action="change")
        result = services.renew(desk, loan, override=_override(body))
        return 200, _loan_body(result), loan.pk

    return _reply(*replay_or_run(request, _fingerprint(body.dict(), x_serving_context), run))


def hold_body(hold: Hold, place: services.QueuePlace | None = None) -> dict:
    """A hold as the API shows it; `place` when already worked out (a list of holds)."""
    place = place or services.queue_place(hold)
    return {
        "id": hold.pk,
        "status": hold.status,
        "position": place.position,
        "estimated_wait_days": place.estimated_wait_days,
        "record_id": hold.record_id,
        "pickup_branch": hold.pickup_branch.code,
        "suspended_until": hold.suspended_until.isoformat() if hold.suspended_until else None,
        "shelf_expires": hold.shelf_expires.isoformat() if hold.shelf_expires else None,
        "pickup_code": hold.pickup_code,
    }


def _branch(code: str | None, field: str = "pickup_branch") -> Branch:
    branch = Branch.objects.filter(code=code or "").first()
    if branch is None:
        raise CirculationError(field, f"no branch has the code {code!r}")
    return branch


def _record(record_id: int | None) -> Record | None:
    if record_id is None:
        return None
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise CirculationError("record_id", f"no record has the id {record_id}")
    return record


@router.post(
    "/holds",
    response={201: HoldOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut},
    auth=BOTH,
)
def place_hold(request: HttpRequest, body: HoldIn, x_serving_context: ServingHeader = None):
    """Join the queue for a title, a whole work (any_edition), or one copy."""
    desk, who = _acting(request, x_serving_context)
    who.access.change("patron.holds")

    def run():
        item = services.item_by_barcode(body.item_barcode) if body.item_barcode else None
        hold, _decision = services.place_hold(
            desk,
            who.patron,
            pickup_branch=_branch(body.pickup_branch),
            record=None if item else _record(body.record_id),
            item=item,
            any_edition=body.any_edition,
            formats=tuple(body.formats),
        )
        return 201, hold_body(hold), None

    return _reply(*replay_or_run(request, _fingerprint(body.dict(), x_serving_context), run))


@router.get(
    "/holds/{hold_id}", response={200: HoldOut, 403: ForbiddenOut, 404: DetailOut}, auth=BOTH
)
def get_hold(request: HttpRequest, hold_id: PathId, x_serving_context: ServingHeader = None):
    """One of the patron's holds, with its place in line."""
    _desk, who = _acting(request, x_serving_context)
    return hold_body(selectors.hold_for(who.access, hold_id))


def _change_hold(request, hold_id: PathId, context_id: str | None, change, payload: dict):
    desk, who = _acting(request, context_id)
    hold = selectors.hold_for(who.access, hold_id, action="change")

    def run():
        return 200, hold_body(change(desk, hold)), None

    fingerprint = _fingerprint({"hold": hold_id, **payload}, context_id)
    return _reply(*replay_or_run(request, fingerprint, run))


HOLD_CHANGED = {200: HoldOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut}


@router.delete("/holds/{hold_id}", response=HOLD_CHANGED, auth=BOTH)
def cancel_hold(request: HttpRequest, hold_id: PathId, x_serving_context: ServingHeader = None):
    """Leave the queue."""
    return _change_hold(request, hold_id, x_serving_context, services.cancel_hold, {})


@router.post("/holds/{hold_id}/suspend", response=HOLD_CHANGED, auth=BOTH)
def suspend_hold(
    request: HttpRequest,
    hold_id: PathId,
    body: SuspendIn,
    x_serving_context: ServingHeader = None,
):
    """Pause a hold without losing its place (until a date, or until resumed)."""

    def suspend(desk: Desk, hold: Hold) -> Hold:
        return services.suspend_hold(desk, hold, body.until)

    return _change_hold(request, hold_id, x_serving_context, suspend, body.dict())


@router.post("/holds/{hold_id}/resume", response=HOLD_CHANGED, auth=BOTH)
def resume_hold(request: HttpRequest, hold_id: PathId, x_serving_context: ServingHeader = None):
    return _change_hold(request, hold_id, x_serving_context, services.resume_hold, {})


def request_body(item: PatronRequest, decision: Decision | None = None) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "status": item.status,
        "title": item.title,
        "author": item.author,
        "record_id": item.record_id,
        "submitted_at": item.submitted_at.isoformat(),
        "closed_at": item.closed_at.isoformat() if item.closed_at else None,
        "decision": decision.as_json() if decision else None,
    }


@router.post(
    "/requests",
    response={201: RequestOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut},
    auth=BOTH,
)
def submit_request(request: HttpRequest, body: RequestIn, x_serving_context: ServingHeader = None):
    """An interlibrary loan request or a purchase suggestion."""
    desk, who = _acting(request, x_serving_context)
    who.access.change("patron.requests")

    def run():
        pickup = _branch(body.pickup_branch) if body.pickup_branch else who.patron.home_branch
        made, decision = services.submit_request(
            desk,
            who.patron,
            kind=body.kind,
            pickup_branch=pickup,
            record=_record(body.record_id),
            title=body.title,
            author=body.author,
            isbn=body.isbn,
            note=body.note,
        )
        return 201, request_body(made, decision), None

    return _reply(*replay_or_run(request, _fingerprint(body.dict(), x_serving_context), run))


def _loan_row(loan) -> dict:
    return {
        "loan_id": loan.pk,
        "item_barcode": loan.item.barcode,
        "record_id": loan.item.record_id,
        "title": loan.item.record.title,
        "due": loan.due,
        "renewals_used": loan.renewals_used,
        "state": loan.state,
    }


def _fee_row(fee) -> dict:
    return {
        "fee_id": fee.pk,
        "kind": fee.kind,
        "amount": fee.amount,
        "balance": fee.balance,
        "created_at": fee.created_at,
    }


def _lists(who: Served) -> dict:
    """The four lists of an account, each an audited read through its selector."""
    return {
        "loans": lambda: [_loan_row(loan) for loan in selectors.current_loans(who.access)],
        "holds": lambda: [
            hold_body(view.hold, view.place) for view in selectors.current_holds(who.access)
        ],
        "fees": lambda: [_fee_row(fee) for fee in selectors.open_fees(who.access)],
        "requests": lambda: [request_body(r) for r in selectors.patron_requests(who.access)],
    }


def _list(request: HttpRequest, kind: str, context_id: str | None = None) -> list[dict]:
    return _lists(served(request, context_id))[kind]()


@router.get("/me/loans", response=list[MyLoanOut], auth=PatronBearer())
def my_loans(request: HttpRequest):
    """My current loans."""
    return _list(request, "loans")


@router.get("/me/holds", response=list[HoldOut], auth=PatronBearer())
def my_holds(request: HttpRequest):
    """My holds, with my place in each queue and the estimated wait."""
    return _list(request, "holds")


@router.get("/me/fees", response=list[FeeOut], auth=PatronBearer())
def my_fees(request: HttpRequest):
    """What I owe: open fees with their balances."""
    return _list(request, "fees")


@router.get("/me/requests", response=list[RequestOut], auth=PatronBearer())
def my_requests(request: HttpRequest):
    """My interlibrary loan requests and purchase suggestions, with their status."""
    return _list(request, "requests")


SERVED_LIST = {403: ForbiddenOut, 404: DetailOut}


@router.get("/patron/loans", response={200: list[MyLoanOut], **SERVED_LIST}, auth=StaffBearer())
def served_loans(request: HttpRequest, x_serving_context: ServingHeader = None):
    """The current loans of the patron being served (audited; the patron sees the read)."""
    _staff_desk(request)
    return _list(request, "loans", x_serving_context)


@router.get("/patron/holds", response={200: list[HoldOut], **SERVED_LIST}, auth=StaffBearer())
def served_holds(request: HttpRequest, x_serving_context: ServingHeader = None):
    """The holds of the patron being served (audited)."""
    _staff_desk(request)
    return _list(request, "holds", x_serving_context)


@router.get("/patron/fees", response={200: list[FeeOut], **SERVED_LIST}, auth=StaffBearer())
def served_fees(request: HttpRequest, x_serving_context: ServingHeader = None):
    """The open fees of the patron being served (audited)."""
    _staff_desk(request)
    return _list(request, "fees", x_serving_context)


@router.get("/patron/requests", response={200: list[RequestOut], **SERVED_LIST}, auth=StaffBearer())
def served_requests(request: HttpRequest, x_serving_context: ServingHeader = None):
    """The requests of the patron being served (audited)."""
    _staff_desk(request)
    return _list(request, "requests", x_serving_context)


@router.get("/catalog/records/{record_id}/alternatives", response=AlternativesOut, auth=None)
def record_alternatives(request: HttpRequest, record_id: PathId, branch: Code = ""):
    """What can be offered for this record at a branch when it is not on the shelf there."""
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise Http404
    at = Branch.objects.filter(code=branch).first() if branch else None
    return {
        "record_id": record.pk,
        "alternatives": [a.as_json() for a in alternatives_for(record, None, at)],
    }
