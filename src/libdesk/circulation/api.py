"""Circulation over the JSON API: checkout, check-in, renewal, holds, requests, and the
patron's own loans, holds and requests. Refusals are 409 with the Decision; any state-changing
call may carry an Idempotency-Key header."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from libdesk.api.idempotency import replay_or_run
from libdesk.api.schemas import DecisionOut, RefusalOut
from libdesk.api.tokens import PatronBearer, StaffBearer
from libdesk.catalog.models import Record
from libdesk.circulation import holds, loans, requests
from libdesk.circulation.alternatives import alternatives_for
from libdesk.circulation.desk import DESK_ROLES, CirculationError, Desk, OverrideRequest
from libdesk.circulation.models import Hold, PatronRequest, Via
from libdesk.circulation.selectors import current_holds, current_loans, own_hold, patron_requests
from libdesk.core.decisions import Decision, Refused
from libdesk.library.models import Branch
from libdesk.patrons.models import Patron
from libdesk.patrons.selectors import patron_by_card, retired_card_reason
from libdesk.privacy.access import AccessDenied
from libdesk.privacy.purposes import Access

router = Router(tags=["circulation"])
BOTH = [StaffBearer(), PatronBearer()]


class OverrideIn(Schema):
    reason: str
    note: str


class CheckoutIn(Schema):
    patron_card: str
    item_barcode: str
    override: OverrideIn | None = None


class BarcodeIn(Schema):
    item_barcode: str
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
    record_id: int | None = None
    item_barcode: str | None = None
    any_edition: bool = False
    formats: list[str] = []
    pickup_branch: str
    patron_card: str | None = None


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
    until: date | None = None


class RequestIn(Schema):
    kind: str
    record_id: int | None = None
    title: str = ""
    author: str = ""
    isbn: str = ""
    note: str = ""
    pickup_branch: str | None = None
    patron_card: str | None = None


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


class AlternativesOut(Schema):
    record_id: int
    alternatives: list[dict] = Field(default_factory=list)


def _reply(status: int, body: dict) -> JsonResponse:
    """The answer exactly as stored, so a replayed call is byte-for-byte the first one."""
    return JsonResponse(body, status=status)


def _staff_desk(request: HttpRequest) -> Desk:
    token = request.api_token
    if token.staff is None or token.staff.role not in DESK_ROLES:
        raise AccessDenied("circulation needs a desk role")
    return Desk.staff_at(token.staff, token.workstation, via=Via.API)


def _caller(request: HttpRequest) -> tuple[Desk, Patron | None]:
    """The acting party, and the patron when a patron token is calling for itself."""
    token = request.api_token
    if token.patron_id is not None:
        return Desk.self_service(token.patron.home_branch), token.patron
    return _staff_desk(request), None


def _patron_for_card(card: str | None) -> Patron:
    if not card:
        raise CirculationError("patron_card", "give the card of the patron being served")
    patron = patron_by_card(card)
    if patron is None:
        why = retired_card_reason(card)
        if why:
            raise Refused(Decision.refuse("card_not_valid", why=why))
        raise CirculationError("patron_card", "no patron has this card")
    return patron


def _override(body) -> OverrideRequest | None:
    return OverrideRequest(body.override.reason, body.override.note) if body.override else None


def _loan_body(result: loans.LoanResult) -> dict:
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
    response={200: LoanOut, 201: LoanOut, 409: RefusalOut},
    auth=StaffBearer(),
)
def checkout(request: HttpRequest, body: CheckoutIn):
    """Lend an item to the patron whose card was presented, at the token's workstation."""
    desk = _staff_desk(request)

    def run():
        patron = _patron_for_card(body.patron_card)
        result = loans.checkout(desk, patron, body.item_barcode, override=_override(body))
        return (201 if result.created else 200), _loan_body(result), result.loan.pk

    return _reply(*replay_or_run(request, body.dict(), run))


@router.post("/circulation/checkin", response={200: CheckinOut}, auth=StaffBearer())
def checkin(request: HttpRequest, body: BarcodeIn):
    """The item is back: where it goes next, and the pickup code if a hold gets it."""
    desk = _staff_desk(request)

    def run():
        result = loans.checkin(desk, body.item_barcode)
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


@router.post("/circulation/renew", response={200: LoanOut, 409: RefusalOut}, auth=BOTH)
def renew(request: HttpRequest, body: BarcodeIn):
    """Renew a loan by its item's barcode (a patron token: only its own loans)."""
    desk, patron = _caller(request)

    def run():
        item = loans.item_by_barcode(body.item_barcode)
        loan = item.loans.filter(closed_at__isnull=True).first()
        if loan is None or (patron is not None and loan.patron_id != patron.pk):
            raise Http404
        result = loans.renew(desk, loan, override=_override(body))
        return 200, _loan_body(result), loan.pk

    return _reply(*replay_or_run(request, body.dict(), run))


def hold_body(hold: Hold) -> dict:
    place = holds.queue_place(hold)
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


@router.post("/holds", response={201: HoldOut, 409: RefusalOut}, auth=BOTH)
def place_hold(request: HttpRequest, body: HoldIn):
    """Join the queue for a title, a whole work (any_edition), or one copy."""
    desk, patron = _caller(request)

    def run():
        who = patron or _patron_for_card(body.patron_card)
        record = item = None
        if body.item_barcode:
            item = loans.item_by_barcode(body.item_barcode)
        elif body.record_id is not None:
            record = Record.objects.filter(pk=body.record_id).first()
            if record is None:
                raise CirculationError("record_id", f"no record has the id {body.record_id}")
        hold, _decision = holds.place_hold(
            desk,
            who,
            pickup_branch=_branch(body.pickup_branch),
            record=record,
            item=item,
            any_edition=body.any_edition,
            formats=tuple(body.formats),
        )
        return 201, hold_body(hold), None

    return _reply(*replay_or_run(request, body.dict(), run))


def _visible_hold(request: HttpRequest, hold_id: int) -> Hold:
    """The holder's own hold, or any hold for desk staff (who see no patron in it)."""
    _desk, patron = _caller(request)
    if patron is not None:
        hold = own_hold(patron.pk, hold_id)
    else:
        hold = Hold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise Http404
    return hold


@router.get("/holds/{hold_id}", response=HoldOut, auth=BOTH)
def get_hold(request: HttpRequest, hold_id: int):
    return hold_body(_visible_hold(request, hold_id))


@router.delete("/holds/{hold_id}", response={200: HoldOut, 409: RefusalOut}, auth=BOTH)
def cancel_hold(request: HttpRequest, hold_id: int):
    """Leave the queue."""
    hold = _visible_hold(request, hold_id)
    desk, _patron = _caller(request)

    def run():
        return 200, hold_body(holds.cancel_hold(desk, hold)), None

    return _reply(*replay_or_run(request, {"hold": hold_id}, run))


@router.post("/holds/{hold_id}/suspend", response={200: HoldOut, 409: RefusalOut}, auth=BOTH)
def suspend_hold(request: HttpRequest, hold_id: int, body: SuspendIn):
    """Pause a hold without losing its place (until a date, or until resumed)."""
    hold = _visible_hold(request, hold_id)
    desk, _patron = _caller(request)

    def run():
        return 200, hold_body(holds.suspend_hold(desk, hold, body.until)), None

    return _reply(*replay_or_run(request, {"hold": hold_id, **body.dict()}, run))


@router.post("/holds/{hold_id}/resume", response={200: HoldOut, 409: RefusalOut}, auth=BOTH)
def resume_hold(request: HttpRequest, hold_id: int):
    hold = _visible_hold(request, hold_id)
    desk, _patron = _caller(request)

    def run():
        return 200, hold_body(holds.resume_hold(desk, hold)), None

    return _reply(*replay_or_run(request, {"hold": hold_id}, run))


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


@router.post("/requests", response={201: RequestOut, 409: RefusalOut}, auth=BOTH)
def submit_request(request: HttpRequest, body: RequestIn):
    """An interlibrary loan request or a purchase suggestion."""
    desk, patron = _caller(request)

    def run():
        who = patron or _patron_for_card(body.patron_card)
        record = None
        if body.record_id is not None:
            record = Record.objects.filter(pk=body.record_id).first()
            if record is None:
                raise CirculationError("record_id", f"no record has the id {body.record_id}")
        pickup = _branch(body.pickup_branch) if body.pickup_branch else who.home_branch
        made, decision = requests.submit_request(
            desk,
            who,
            kind=body.kind,
            pickup_branch=pickup,
            record=record,
            title=body.title,
            author=body.author,
            isbn=body.isbn,
            note=body.note,
        )
        return 201, request_body(made, decision), None

    return _reply(*replay_or_run(request, body.dict(), run))


@router.get("/me/loans", response=list[MyLoanOut], auth=PatronBearer())
def my_loans(request: HttpRequest):
    """My current loans."""
    return [
        {
            "loan_id": loan.pk,
            "item_barcode": loan.item.barcode,
            "record_id": loan.item.record_id,
            "title": loan.item.record.title,
            "due": loan.due,
            "renewals_used": loan.renewals_used,
            "state": loan.state,
        }
        for loan in current_loans(Access.own(request.api_token.patron_id))
    ]


@router.get("/me/holds", response=list[HoldOut], auth=PatronBearer())
def my_holds(request: HttpRequest):
    """My holds, with my place in each queue and the estimated wait."""
    return [
        {**hold_body(view.hold), "position": view.place.position}
        for view in current_holds(Access.own(request.api_token.patron_id))
    ]


@router.get("/me/requests", response=list[RequestOut], auth=PatronBearer())
def my_requests(request: HttpRequest):
    """My interlibrary loan requests and purchase suggestions, with their status."""
    return [request_body(r) for r in patron_requests(Access.own(request.api_token.patron_id))]


@router.get("/catalog/records/{record_id}/alternatives", response=AlternativesOut, auth=None)
def record_alternatives(request: HttpRequest, record_id: int, branch: str = ""):
    """What can be offered for this record at a branch when it is not on the shelf there."""
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise Http404
    at = Branch.objects.filter(code=branch).first() if branch else None
    return {
        "record_id": record.pk,
        "alternatives": [a.as_json() for a in alternatives_for(record, None, at)],
    }
