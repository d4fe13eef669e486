"""Ask a librarian over the API: anyone asks (a signed-in patron may link the question to their
account; the desk enters questions asked in person, by phone or by e-mail), the asker comes
back with the private link, and librarians work the queue with a staff token.

A question the caller may not read answers 404, whether or not it exists; a role that may
never read one answers 403 with its code.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Field, Path, Router, Schema, Status

from libdesk.access.purposes import Access
from libdesk.api.models import ApiToken
from libdesk.api.schemas import DetailOut, ForbiddenOut, RefusalOut
from libdesk.api.tokens import PatronBearer, StaffBearer, resolve
from libdesk.core.bounds import (
    CODE_MAX,
    SECRET_MAX,
    Id,
    LongText,
    SaneDate,
    ShortList,
    ShortText,
)
from libdesk.core.ratelimit import check_anonymous_form, client_address
from libdesk.reference import selectors, services
from libdesk.reference.models import (
    EFFORT_MAX,
    EFFORT_MIN,
    Answer,
    Channel,
    ConsumerSourceKind,
    Question,
    SendAnywayReason,
    ShareReason,
    SourceKind,
    Topic,
)

router = Router(tags=["reference"])
me_router = Router(tags=["reference"])  # mounted at the API's root: /me/questions
STAFF = StaffBearer()

ChannelIn = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
TopicIn = Literal[tuple(Topic.values)]  # type: ignore[valid-type]
Language = Literal["en", "fr"]
Effort = Annotated[int, Field(ge=EFFORT_MIN, le=EFFORT_MAX, description="the READ scale")]
Phone = Annotated[str, Field(max_length=40)]
Url = Annotated[str, Field(max_length=500)]
QuestionId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AskerKey = Annotated[str, Path(max_length=SECRET_MAX)]


class AskIn(Schema):
    text: LongText
    topic: TopicIn = "other"
    channel: ChannelIn = "web"
    language: Language = "en"
    contact_email: ShortText = ""
    contact_phone: Phone = ""
    link_to_my_account: bool = False  # a patron token only: the question shows in /me/questions


class AskedOut(Schema):
    id: int
    private_link: str


class SourceOut(Schema):
    kind: str
    label: str
    url: str


class AnswerOut(Schema):
    sent_at: datetime
    language: str
    text: str
    sources: list[SourceOut]


class AskerViewOut(Schema):
    id: int
    status: str
    topic: str
    asked_at: datetime
    question: str
    answers: list[AnswerOut]


class QueueLineOut(Schema):
    id: int
    channel: str
    topic: str
    status: str
    asked_at: datetime
    late: bool
    mine: bool


class QueueOut(Schema):
    waiting: list[QueueLineOut]
    mine: list[QueueLineOut]


class ClaimedOut(Schema):
    id: int | None


class ShareOut(Schema):
    kind: str
    reason: str
    shared_at: datetime
    shared_by_me: bool
    shared_with_me: bool


class QuestionOut(Schema):
    id: int
    channel: str
    topic: str
    status: str
    language: str
    asked_at: datetime
    text: str
    contact_email: str
    contact_phone: str
    linked_to_patron: bool
    claimed_by_me: bool
    late: bool
    first_response_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    effort: int | None
    answers: list[AnswerOut]
    shares: list[ShareOut]


class ShareIn(Schema):
    librarian_id: Id
    reason: Literal[tuple(ShareReason.values)]  # type: ignore[valid-type]


class SourceIn(Schema):
    kind: Literal[tuple(SourceKind.values)]  # type: ignore[valid-type]
    label: ShortText = ""
    record_id: Id | None = None
    url: Url = ""
    directory_id: Id | None = None


class AnswerIn(Schema):
    text: LongText
    language: Language = "en"
    sources: ShortList[SourceIn] = []
    send_anyway_reason: Literal[("", *SendAnywayReason.values)] = ""  # type: ignore[valid-type]
    effort: Effort | None = None


class FindingOut(Schema):
    kind: str
    match: str
    why: str


class SentOut(Schema):
    id: int
    sent_at: datetime
    sent_despite_flags: bool
    warnings: list[FindingOut]


class CloseIn(Schema):
    effort: Effort


class ClosedOut(Schema):
    id: int
    status: str
    closed_at: datetime


class TimesOut(Schema):
    count: int
    median_hours: float | None
    p90_hours: float | None


class FiguresOut(Schema):
    questions: int
    by_channel: dict[str, int]
    by_topic: dict[str, int]
    to_first_response: TimesOut
    to_answer: TimesOut
    effort: dict[str, int]
    late: int


class ConsumerSourceOut(Schema):
    id: int
    name: str
    description: str
    url: str
    topic: str
    kind: str


TopicFilter = Literal[("", *Topic.values)]  # type: ignore[valid-type]
KindFilter = Literal[("", *ConsumerSourceKind.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> ApiToken | None:
    """The token a caller sent, if it is a live one (the form is open to anyone)."""
    header = request.headers.get("Authorization", "")
    scheme, _, bearer = header.partition(" ")
    if scheme.lower() != "bearer" or not bearer or len(bearer) > CODE_MAX * 4:
        return None
    return resolve(bearer, ApiToken.PATRON) or resolve(bearer, ApiToken.STAFF)


def _answers(question: Question) -> list[dict]:
    return [_answer(answer) for answer in question.answers.all()]


def _answer(answer: Answer) -> dict:
    return {
        "sent_at": answer.sent_at,
        "language": answer.language,
        "text": answer.text,
        "sources": [{"kind": s.kind, "label": s.label, "url": s.url} for s in answer.sources.all()],
    }


@router.post(
    "/questions",
    response={201: AskedOut, 403: ForbiddenOut, 409: RefusalOut, 429: RefusalOut},
    auth=None,
)
def ask(request: HttpRequest, body: AskIn):
    """Ask a librarian. Anyone may, on the web channel (limited per address); with a patron
    token and `link_to_my_account`, the question is linked to the patron's account. A staff
    token enters a question asked in person, by phone or by e-mail. Answers the question's id
    and the private link where the asker reads the answer (shown once: only its hash is
    kept)."""
    token = _caller(request)
    staff = token.staff if token is not None and token.staff_id else None
    if staff is None:
        check_anonymous_form("ask-librarian", client_address(request))
    question, key = services.ask(
        body.channel,
        body.text,
        body.topic,
        services.Contact(body.contact_email, body.contact_phone),
        language=body.language,
        patron_id=token.patron_id if token is not None else None,
        link_to_patron=body.link_to_my_account,
        staff=staff,
        workstation=token.workstation if staff is not None else None,
    )
    # The link is for a person: the web page. The same key reads the question here too
    # (GET /reference/asked/{key}), the link's last segment.
    link = request.build_absolute_uri(reverse("reference:asked", args=[key]))
    return Status(201, {"id": question.pk, "private_link": link})


@router.get(
    "/asked/{asker_key}",
    response={200: AskerViewOut, 404: DetailOut},
    auth=None,
    url_name="reference_asked",
)
def asked(request: HttpRequest, asker_key: AskerKey):
    """What the asker sees with the private link: the status, and the answers with their
    sources."""
    question = selectors.question_for_asker(asker_key)
    if question is None:
        raise Http404
    return {
        "id": question.pk,
        "status": question.status,
        "topic": question.topic,
        "asked_at": question.asked_at,
        "question": question.text,
        "answers": _answers(question),
    }


@me_router.get("/me/questions", response=list[AskerViewOut], auth=PatronBearer())
def my_questions(request: HttpRequest) -> list[dict]:
    """The questions this patron linked to their account, newest first."""
    access = Access.own(request.api_token.patron_id)
    return [
        {
            "id": q.pk,
            "status": q.status,
            "topic": q.topic,
            "asked_at": q.asked_at,
            "question": q.text,
            "answers": _answers(q),
        }
        for q in selectors.questions_of(access)
    ]


@router.get("/sources", response={200: list[ConsumerSourceOut]}, auth=None)
def consumer_sources(request: HttpRequest, topic: TopicFilter = "") -> list[dict]:
    """The directory of consumer information the library points to (never a recommendation
    of a product or service), by topic."""
    language = get_language()
    return [
        {
            "id": source.pk,
            "name": source.name(language),
            "description": source.description(language),
            "url": source.url,
            "topic": source.topic,
            "kind": source.kind,
        }
        for source in selectors.consumer_sources(topic)
    ]


def _line(line: selectors.QueueLine) -> dict:
    return line.__dict__


@router.get("/queue", response={200: QueueOut, 403: ForbiddenOut}, auth=STAFF)
def queue(request: HttpRequest):
    """The questions waiting, oldest first, and this librarian's own: channel, topic and age
    only, never a question's text or who asked."""
    staff = request.api_token.staff
    return {
        "waiting": [_line(line) for line in selectors.queue(staff)],
        "mine": [_line(line) for line in selectors.my_questions(staff)],
    }


@router.post("/queue/claim-next", response={200: ClaimedOut, 403: ForbiddenOut}, auth=STAFF)
def claim_next(request: HttpRequest):
    """Claim the oldest question nobody has claimed; `id` is null when none waits."""
    token = request.api_token
    question = services.claim_next(token.staff, token.workstation)
    return {"id": question.pk if question is not None else None}


@router.post(
    "/questions/{reference_id}/claim",
    response={200: ClaimedOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut},
    auth=STAFF,
)
def claim(request: HttpRequest, reference_id: QuestionId):
    """Claim this question, if nobody has (409 with the refusal if someone has)."""
    token = request.api_token
    return {"id": services.claim(token.staff, token.workstation, reference_id).pk}


def _shares(question: Question, staff) -> list[dict]:
    return [
        {
            "kind": share.kind,
            "reason": share.reason,
            "shared_at": share.shared_at,
            "shared_by_me": share.shared_by_id == staff.pk,
            "shared_with_me": share.shared_with_id == staff.pk,
        }
        for share in question.shares.all()
    ]


@router.get(
    "/questions/{reference_id}",
    response={200: QuestionOut, 403: ForbiddenOut, 404: DetailOut},
    auth=STAFF,
)
def question(request: HttpRequest, reference_id: QuestionId):
    """A question with its text and contact details, for the librarian who claimed it and
    those it was shared with (each look is audited); 404 for anyone else."""
    token = request.api_token
    found = selectors.question_for(token.staff, token.workstation, reference_id).question
    return {
        "id": found.pk,
        "channel": found.channel,
        "topic": found.topic,
        "status": found.status,
        "language": found.language,
        "asked_at": found.asked_at,
        "text": found.text,
        "contact_email": found.contact_email,
        "contact_phone": found.contact_phone,
        "linked_to_patron": found.patron_id is not None,
        "claimed_by_me": found.claimed_by_id == token.staff.pk,
        "late": selectors.is_late(found),
        "first_response_at": found.first_response_at,
        "answered_at": found.answered_at,
        "closed_at": found.closed_at,
        "effort": found.effort,
        "answers": _answers(found),
        "shares": _shares(found, token.staff),
    }


SHARE_ANSWERS = {200: DetailOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut}


@router.post("/questions/{reference_id}/consult", response=SHARE_ANSWERS, auth=STAFF)
def consult(request: HttpRequest, reference_id: QuestionId, body: ShareIn):
    """Let another librarian read the question to help answer it (recorded)."""
    token = request.api_token
    services.consult(token.staff, token.workstation, reference_id, body.librarian_id, body.reason)
    return {"detail": "Shared with the librarian, to help answer it."}


@router.post("/questions/{reference_id}/transfer", response=SHARE_ANSWERS, auth=STAFF)
def transfer(request: HttpRequest, reference_id: QuestionId, body: ShareIn):
    """Hand the question to another librarian: the claim moves to them (recorded)."""
    token = request.api_token
    services.transfer(token.staff, token.workstation, reference_id, body.librarian_id, body.reason)
    return {"detail": "Handed to the librarian."}


@router.post(
    "/questions/{reference_id}/answer",
    response={201: SentOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut},
    auth=STAFF,
)
def answer(request: HttpRequest, reference_id: QuestionId, body: AnswerIn):
    """Send an answer with its sources. One the check reads as an opinion, advice or a
    recommendation answers 409 with the refusal (clause facts-not-opinions), the words found,
    and the consumer sources for the topic as alternatives; `send_anyway_reason` sends it all
    the same, and the reason is recorded."""
    token = request.api_token
    sent = services.answer(
        token.staff,
        token.workstation,
        reference_id,
        body.text,
        [services.SourceIn(**source.dict()) for source in body.sources],
        language=body.language,
        send_anyway_reason=body.send_anyway_reason,
        effort=body.effort,
    )
    warnings = [
        {"kind": w.kind, "match": w.match, "why": str(w.why)}
        for w in sent.findings.warnings
        if not (w.kind == "no_source" and body.sources)
    ]
    return Status(
        201,
        {
            "id": sent.answer.pk,
            "sent_at": sent.answer.sent_at,
            "sent_despite_flags": bool(sent.answer.override_reason),
            "warnings": warnings,
        },
    )


@router.post(
    "/questions/{reference_id}/close",
    response={200: ClosedOut, 403: ForbiddenOut, 404: DetailOut, 409: RefusalOut},
    auth=STAFF,
)
def close(request: HttpRequest, reference_id: QuestionId, body: CloseIn):
    """Close the question with the effort it took; the asker's contact details are removed."""
    token = request.api_token
    closed = services.close(token.staff, token.workstation, reference_id, body.effort)
    return {"id": closed.pk, "status": closed.status, "closed_at": closed.closed_at}


@router.get("/figures", response={200: FiguresOut, 403: ForbiddenOut}, auth=STAFF)
def figures(request: HttpRequest, since: SaneDate | None = None, until: SaneDate | None = None):
    """The board's figures (Head Librarian): counts per channel and topic, times to a first
    response and to an answer (median and 90th percentile, in hours), effort, and how many
    were late. No asker, patron or member of staff is named."""
    return selectors.figures(request.api_token.staff, since, until)
