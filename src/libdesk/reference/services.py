"""Changes at the reference desk: asking, claiming (first come, first served), consulting and
transferring, answering (checked for opinions, advice and recommendations) and closing.

Each is one transaction with its audit entry (ids and registered codes, never the text), and
refuses with a Decision naming its clause: confidential-requests for sharing, facts-not-
opinions for answers, equal-respect for the queue.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from libdesk.access.table import REFERENCE_ROLES, Context, require
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.catalog.models import Record
from libdesk.core import clock
from libdesk.core.bounds import LIST_MAX, LONG_TEXT_MAX, SHORT_TEXT_MAX
from libdesk.core.decisions import Alternative, AlternativeKind, Decision, Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.core.tasks import enqueue_after_commit
from libdesk.reference import selectors
from libdesk.reference.directory import http_address
from libdesk.reference.models import (
    EFFORT_MAX,
    EFFORT_MIN,
    Answer,
    AnswerSource,
    Channel,
    ConsumerSource,
    Question,
    QuestionShare,
    SendAnywayReason,
    ShareKind,
    ShareReason,
    SourceKind,
    Status,
    Topic,
)
from libdesk.reference.tasks import send_reference_answer

OBJECT = "reference_question"
PHONE = re.compile(r"[0-9+()\-. ]{3,40}")
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Contact:
    """How to reach the asker, if they want to be reached (removed when the question closes)."""

    email: str = ""
    phone: str = ""


def _clean_contact(contact: Contact) -> Contact:
    email, phone = contact.email.strip(), contact.phone.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InputError("contact_email", "not a valid e-mail address") from exc
    if phone and not PHONE.fullmatch(phone):
        raise InputError("contact_phone", "digits, spaces and + ( ) - . only")
    return Contact(email, phone)


def _clean_text(field: str, text: str) -> str:
    text = text.strip()
    if not text:
        raise InputError(field, "please write it")
    if len(text) > LONG_TEXT_MAX:
        raise InputError(field, f"at most {LONG_TEXT_MAX} characters")
    return text


def _choice(field: str, value: str, choices) -> str:
    if value not in choices.values:
        raise InputError(field, f"one of: {', '.join(choices.values)}")
    return value


def ask(
    channel: str,
    text: str,
    topic: str,
    contact: Contact = Contact(),
    *,
    language: str = "en",
    patron_id: int | None = None,
    link_to_patron: bool = False,
    staff: StaffUser | None = None,
    workstation=None,
) -> tuple[Question, str]:
    """Record a question; answers it and the private key of the come-back link (only its hash
    is kept). On the web anyone asks, and a signed-in patron may link it to their account;
    questions asked in person, by phone or by e-mail are entered by the desk (`staff`)."""
    channel = _choice("channel", channel, Channel)
    topic = _choice("topic", topic, Topic)
    text = _clean_text("text", text)
    contact = _clean_contact(contact)
    if language not in LANGUAGES:
        raise InputError("language", "en or fr")
    if staff is not None:
        require(staff.role, OBJECT, "create", Context.NONE)
        actor = Actor.staff(staff, workstation)
    elif channel != Channel.WEB:
        raise InputError(
            "channel", "questions asked in person, by phone or by e-mail are entered by staff"
        )
    else:  # a patron who did not link the question is not named by its audit entry either
        linked = bool(patron_id and link_to_patron)
        actor = Actor.patron(patron_id) if linked else Actor.public()
    key = secrets.token_urlsafe(24)
    with transaction.atomic():
        question = Question.objects.create(
            channel=channel,
            text=text,
            topic=topic,
            language=language,
            contact_email=contact.email,
            contact_phone=contact.phone,
            patron_id=patron_id if (link_to_patron and staff is None) else None,
            access_key_hash=selectors.key_hash(key),
            asked_at=clock.now(),
            entered_by=staff,
        )
        audit.record(actor, "reference.ask", object_type=OBJECT, object_id=question.pk)
    return question, key


def question_for_asker(key: str) -> Question | None:
    """The question the private link's key opens (None once its text is gone)."""
    if not key:
        return None
    return Question.objects.filter(
        access_key_hash=selectors.key_hash(key), anonymised=False
    ).first()


def _claimed(librarian: StaffUser, workstation, question_id: int, how: str) -> Question:
    audit.record(
        Actor.staff(librarian, workstation),
        "reference.claim",
        object_type=OBJECT,
        object_id=question_id,
        reason=how,
    )
    return Question.objects.get(pk=question_id)


def _take(librarian: StaffUser, question_id: int) -> bool:
    """Claim the question if nobody has: one conditional UPDATE, so of two librarians taking
    the same question at once exactly one wins, whatever the database."""
    return bool(
        Question.objects.filter(pk=question_id, status=Status.OPEN).update(
            status=Status.CLAIMED, claimed_by=librarian, claimed_at=clock.now()
        )
    )


def claim_next(librarian: StaffUser, workstation) -> Question | None:
    """Claim the oldest question nobody has claimed (first come, first served; no priority).
    None when nothing waits. A question another librarian takes in between is skipped."""
    require(librarian.role, "reference_queue", "change", Context.NONE)
    while True:
        oldest = selectors.oldest_waiting_id()
        if oldest is None:
            return None
        with transaction.atomic():
            if _take(librarian, oldest):
                return _claimed(librarian, workstation, oldest, "next_in_line")


def claim(librarian: StaffUser, workstation, question_id: int) -> Question:
    """Claim this question, if it is the oldest waiting (first come, first served: nobody
    picks an easier or a friend's question ahead of older ones; 404 for none; a refusal if
    already claimed, or if an older question waits)."""
    require(librarian.role, "reference_queue", "change", Context.NONE)
    with transaction.atomic():
        oldest = selectors.oldest_waiting_id()
        if oldest is not None and oldest != question_id:
            if not Question.objects.filter(pk=question_id).exists():
                raise NotFound
            if Question.objects.filter(pk=question_id, status=Status.OPEN).exists():
                raise Refused(Decision.refuse("reference_not_next"))
        elif _take(librarian, question_id):
            return _claimed(librarian, workstation, question_id, "next_in_line")
        if not Question.objects.filter(pk=question_id).exists():
            raise NotFound
    raise Refused(Decision.refuse("reference_already_claimed"))


def _for_claimer(librarian: StaffUser, workstation, question_id: int, action: str) -> Question:
    """The question, locked, if this librarian claimed it (404 if they may not see it; 403 if
    they may see it but not do this, as a consulted librarian may not answer)."""
    # Lock first, then decide who holds it: a transfer committed meanwhile is seen.
    question = Question.objects.select_for_update().filter(pk=question_id).first()
    if question is None:
        raise NotFound
    opened = selectors.question_for(librarian, workstation, question_id, audit_read=False)
    require(librarian.role, OBJECT, action, opened.context)
    if question.status == Status.CLOSED:
        raise Refused(Decision.refuse("reference_question_closed"))
    return question


def _check_colleague(librarian: StaffUser, other: StaffUser | None) -> StaffUser:
    if (
        other is None
        or other.pk == librarian.pk
        or not other.is_active
        or other.role not in REFERENCE_ROLES
    ):
        raise Refused(Decision.refuse("reference_share_librarians_only"))
    return other


def _share(
    librarian: StaffUser, workstation, question_id: int, other_id: int, reason: str, kind: str
) -> QuestionShare:
    reason = _choice("reason", reason, ShareReason)
    other = StaffUser.objects.filter(pk=other_id).first()
    with transaction.atomic():
        question = _for_claimer(librarian, workstation, question_id, "share")
        _check_colleague(librarian, other)
        now = clock.now()
        shared = QuestionShare.objects.create(
            question=question,
            shared_by=librarian,
            shared_with=other,
            kind=kind,
            reason=reason,
            shared_at=now,
        )
        if kind == ShareKind.TRANSFER:
            Question.objects.filter(pk=question.pk).update(claimed_by=other, claimed_at=now)
        audit.record(
            Actor.staff(librarian, workstation),
            "reference.share",
            object_type=OBJECT,
            object_id=question.pk,
            reason=f"{kind} {reason} staff:{other.pk}",
        )
    return shared


def consult(
    librarian: StaffUser, workstation, question_id: int, other_id: int, reason: str
) -> QuestionShare:
    """Let another librarian read the question to help answer it; the claim stays."""
    return _share(librarian, workstation, question_id, other_id, reason, ShareKind.CONSULT)


def transfer(
    librarian: StaffUser, workstation, question_id: int, other_id: int, reason: str
) -> QuestionShare:
    """Hand the question to another librarian: the claim moves to them."""
    return _share(librarian, workstation, question_id, other_id, reason, ShareKind.TRANSFER)


@dataclass(frozen=True)
class SourceIn:
    """A source an answer cites, as a door received it."""

    kind: str
    label: str = ""
    record_id: int | None = None
    url: str = ""
    directory_id: int | None = None


def _source_row(index: int, source: SourceIn) -> AnswerSource:
    field = f"sources.{index}"
    kind = _choice(f"{field}.kind", source.kind, SourceKind)
    label = source.label.strip()
    row = AnswerSource(kind=kind, label=label[:SHORT_TEXT_MAX])
    if kind == SourceKind.CATALOGUE:
        row.record = Record.objects.filter(pk=source.record_id or 0).first()
        if row.record is None:
            raise InputError(f"{field}.record_id", "no such catalogue record")
        row.label = label or row.record.title[:SHORT_TEXT_MAX]
    elif kind == SourceKind.DIRECTORY:
        row.directory = ConsumerSource.objects.filter(
            pk=source.directory_id or 0, active=True
        ).first()
        if row.directory is None:
            raise InputError(f"{field}.directory_id", "no such directory source")
        row.label = label or row.directory.name_en
    elif kind == SourceKind.WEB:
        row.url = http_address(f"{field}.url", source.url)
        row.label = label or source.url[:SHORT_TEXT_MAX]
    elif not label:
        raise InputError(f"{field}.label", "name the organisation or publication")
    return row


def check_answer(text: str, language: str):
    """The answer checker's findings (reference/checker.py: opinions, advice and
    recommendations, and warnings such as an answer without a source). The flags of both
    languages count, whichever the librarian chose: an opinion in French is one in an answer
    marked English too. The warnings are those of the answer's own language."""
    checker = import_module("libdesk.reference.checker")
    own = checker.check(text, language)
    other = checker.check(text, "fr" if language == "en" else "en")
    seen = {(flag.start, flag.end) for flag in own.flags}
    extra = [flag for flag in other.flags if (flag.start, flag.end) not in seen]
    return checker.Findings(flags=[*own.flags, *extra], warnings=own.warnings)


def _findings_words(findings) -> str:
    return "; ".join(f"“{flag.match}” ({flag.kind})" for flag in findings.flags)


def _consumer_alternatives(topic: str, language: str) -> tuple[Alternative, ...]:
    return tuple(
        Alternative(
            AlternativeKind.REFERRAL,
            source.name(language),
            {"source_id": source.pk, "url": source.url, "source_kind": source.kind},
        )
        for source in selectors.consumer_sources(topic)
    )


@dataclass(frozen=True)
class Sent:
    answer: Answer
    findings: object  # the checker's Findings: the warnings are shown to the librarian


def answer(
    librarian: StaffUser,
    workstation,
    question_id: int,
    text: str,
    sources: Sequence[SourceIn] = (),
    *,
    language: str = "en",
    send_anyway_reason: str = "",
    effort: int | None = None,
) -> Sent:
    """Send an answer: facts with their sources (e-mailed after commit when the asker left an
    address). An answer the checker flags as an opinion,
    advice or a recommendation is refused (clause facts-not-opinions) with the consumer
    sources for the question's topic offered instead, unless sent anyway for a registered
    reason, which is recorded."""
    with transaction.atomic():
        question = _for_claimer(librarian, workstation, question_id, "answer")
        text = _clean_text("text", text)
        if language not in LANGUAGES:
            raise InputError("language", "en or fr")
        if len(sources) > LIST_MAX:
            raise InputError("sources", f"at most {LIST_MAX}")
        rows = [_source_row(i, source) for i, source in enumerate(sources)]
        if send_anyway_reason:
            _choice("send_anyway_reason", send_anyway_reason, SendAnywayReason)
        _check_effort(effort, required=False)
        findings = check_answer(text, language)
        if findings.flagged and not send_anyway_reason:
            raise Refused(
                Decision.refuse(
                    "reference_answer_flagged",
                    _consumer_alternatives(question.topic, language),
                    findings=_findings_words(findings),
                )
            )
        now = clock.now()
        sent = Answer.objects.create(
            question=question,
            text=text,
            language=language,
            sent_at=now,
            by=librarian,
            override_reason=send_anyway_reason if findings.flagged else "",
            mail_to=question.contact_email,  # kept until mailed: closing may come first
        )
        for row in rows:
            row.answer = sent
        AnswerSource.objects.bulk_create(rows)
        question.status, question.answered_at = Status.ANSWERED, now
        question.first_response_at = question.first_response_at or now
        question.effort = effort or question.effort
        question.save(update_fields=["status", "answered_at", "first_response_at", "effort"])
        audit.record(
            Actor.staff(librarian, workstation),
            "reference.answer",
            object_type=OBJECT,
            object_id=question.pk,
            reason=sent.override_reason,
        )
        if question.contact_email:
            enqueue_after_commit(send_reference_answer, sent.pk)
    return Sent(sent, findings)


def _check_effort(effort: int | None, *, required: bool) -> None:
    if effort is None and not required:
        return
    if effort is None or not EFFORT_MIN <= effort <= EFFORT_MAX:
        raise InputError("effort", f"from {EFFORT_MIN} to {EFFORT_MAX} (the READ scale)")


def close(librarian: StaffUser, workstation, question_id: int, effort: int) -> Question:
    """Close the question with the effort it took; the asker's contact details go now."""
    _check_effort(effort, required=True)
    with transaction.atomic():
        question = _for_claimer(librarian, workstation, question_id, "change")
        question.status, question.closed_at, question.effort = Status.CLOSED, clock.now(), effort
        question.contact_email = question.contact_phone = ""
        question.save(
            update_fields=["status", "closed_at", "effort", "contact_email", "contact_phone"]
        )
        audit.record(
            Actor.staff(librarian, workstation),
            "reference.close",
            object_type=OBJECT,
            object_id=question.pk,
            reason=f"effort {effort}",
        )
    return question


def purge_closed_questions() -> int:
    """Past LIBDESK_REFERENCE_RETENTION_DAYS after closing, a question keeps only its figures
    (channel, topic, effort, times): its text, its link to a patron, its contact details, its
    answers and the record of who it was shared with go. A question answered but never
    closed counts from its answer, so a librarian who forgets to close one keeps nothing
    longer; one nobody answered goes LIBDESK_REFERENCE_UNANSWERED_DAYS after it was asked.
    One transaction: a purge killed half-way leaves every question whole or done. Answers how
    many questions were anonymised."""
    now = clock.now()
    cutoff = now - timedelta(days=settings.LIBDESK["REFERENCE_RETENTION_DAYS"])
    abandoned = now - timedelta(days=settings.LIBDESK["REFERENCE_UNANSWERED_DAYS"])
    ended = (
        Q(status=Status.CLOSED, closed_at__lt=cutoff)
        | Q(status=Status.ANSWERED, answered_at__lt=cutoff)
        | Q(status__in=[Status.OPEN, Status.CLAIMED], asked_at__lt=abandoned)
    )
    with transaction.atomic():
        ids = list(
            Question.objects.filter(ended, anonymised=False)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Answer.objects.filter(question_id__in=ids).delete()
        QuestionShare.objects.filter(question_id__in=ids).delete()
        return Question.objects.filter(pk__in=ids).update(
            text="", patron_id=None, contact_email="", contact_phone="", anonymised=True
        )


def unlink_patron(patron_id: int) -> int:
    """Closing the account: the patron's questions forget them and their contact details (the
    asker can still come back with the private link until the text is purged)."""
    Answer.objects.filter(question__patron_id=patron_id).update(mail_to="")
    return Question.objects.filter(patron_id=patron_id).update(
        patron_id=None, contact_email="", contact_phone=""
    )


def release_claims_of(staff_id: int) -> int:
    """A librarian's account is disabled (they left, or are away for long): the questions
    they claimed and had not answered go back to the queue at their place in line (by when
    they were asked), for the next librarian to take; nobody reads them on the way. Runs in
    the transaction that disables the account; answers how many went back."""
    claimed = Question.objects.filter(claimed_by_id=staff_id, status=Status.CLAIMED)
    released = list(claimed.values_list("pk", flat=True))
    claimed.update(status=Status.OPEN, claimed_by=None, claimed_at=None)
    for question_id in released:
        audit.record(
            Actor.system(),
            "reference.release",
            object_type=OBJECT,
            object_id=question_id,
            reason="claimer_left",
        )
    return len(released)
