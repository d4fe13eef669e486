"""Comments over the API: anyone leaves one; a patron token may sign it (and ask for a reply,
to the account and by its e-mail). Every comment counts against the address's limit, as on
the web. A comment records only the kind of service it is about."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from libdesk.access.purposes import Access
from libdesk.api.models import ApiToken
from libdesk.api.schemas import RefusalOut
from libdesk.api.tokens import PatronBearer, resolve
from libdesk.core.bounds import CODE_MAX, LongText
from libdesk.core.ratelimit import check_anonymous_form, client_address
from libdesk.feedback import selectors, services
from libdesk.feedback.models import RATING_MAX, RATING_MIN, Service

router = Router(tags=["feedback"])
me_router = Router(tags=["feedback"])  # mounted at the API's root: /me/feedback

ServiceIn = Literal[tuple(Service.values)]  # type: ignore[valid-type]
Rating = Annotated[int, Field(ge=RATING_MIN, le=RATING_MAX, description="1 poorly, 5 very well")]


class CommentIn(Schema):
    text: LongText
    service: ServiceIn = "general"
    rating: Rating | None = None
    language: Literal["en", "fr"] = "en"
    sign: bool = False  # a patron token only: the comment names the patron
    wants_reply: bool = False  # a signed comment only: the reply goes to the account and e-mail


class CommentOut(Schema):
    id: int


class ResponseOut(Schema):
    sent_at: datetime
    language: str
    text: str


class MyCommentOut(Schema):
    id: int
    received_at: datetime
    service: str
    text: str
    rating: int | None
    wants_reply: bool
    status: str
    responses: list[ResponseOut]


def _patron_id(request: HttpRequest) -> int | None:
    """The patron whose live token the caller sent, if any (the form is open to anyone, so
    any other token, or none, leaves an unsigned comment)."""
    header = request.headers.get("Authorization", "")
    scheme, _, bearer = header.partition(" ")
    if scheme.lower() != "bearer" or not bearer or len(bearer) > CODE_MAX * 4:
        return None
    token = resolve(bearer, ApiToken.PATRON)
    return token.patron_id if token is not None else None


@router.post("", response={201: CommentOut, 429: RefusalOut}, auth=None)
def leave_comment(request: HttpRequest, body: CommentIn):
    """Leave a comment on how well the library meets your expectations: anonymous, or signed
    with a patron token (`sign`), optionally rated from 1 to 5. `service` is the kind of
    service it is about; nothing else about a visit, question, loan or page is kept. Limited
    per address (429 with the refusal and Retry-After). Answers the comment's id."""
    check_anonymous_form("feedback", client_address(request))
    comment = services.leave_comment(
        body.text,
        body.service,
        rating=body.rating,
        language=body.language,
        patron_id=_patron_id(request),
        sign=body.sign,
        wants_reply=body.wants_reply,
    )
    return Status(201, {"id": comment.pk})


@me_router.get("/me/feedback", response=list[MyCommentOut], auth=PatronBearer())
def my_comments(request: HttpRequest) -> list[dict]:
    """The comments this patron signed, newest first, with the library's responses."""
    return [
        {
            "id": comment.pk,
            "received_at": comment.received_at,
            "service": comment.service,
            "text": comment.text,
            "rating": comment.rating,
            "wants_reply": comment.wants_reply,
            "status": comment.status,
            "responses": [
                {"sent_at": r.sent_at, "language": r.language, "text": r.text}
                for r in comment.responses.all()
            ],
        }
        for comment in selectors.comments_of(Access.own(request.api_token.patron_id))
    ]
