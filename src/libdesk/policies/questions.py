"""Asking why a policy exists, and the Head Librarian's answers.

The asker needs no account; without an e-mail address they get a private link to come back
for the answer (only its hash is stored). Every staff look at a question is audited.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from libdesk.access.table import AccessDenied, Context, Role, require
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.tasks import enqueue_after_commit
from libdesk.policies.models import PolicyQuestion, PolicyQuestionShare, QuestionStatus
from libdesk.policies.selectors import clause_in_force

QUESTION_LIMIT = 4000


class QuestionError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def ask(
    clause_id: str, question: str, *, contact_email: str = "", language: str = "en"
) -> tuple[PolicyQuestion, str]:
    """Record a question; returns it and the private key for the come-back link."""
    if clause_in_force(clause_id) is None:
        raise QuestionError("clause", "no such clause is in force")
    question = question.strip()
    if not question:
        raise QuestionError("question", "please write your question")
    if len(question) > QUESTION_LIMIT:
        raise QuestionError("question", f"at most {QUESTION_LIMIT} characters")
    if contact_email.strip():
        try:
            validate_email(contact_email.strip())
        except ValidationError as exc:
            raise QuestionError("contact_email", "not a valid e-mail address") from exc
    key = secrets.token_urlsafe(24)
    with transaction.atomic():
        asked = PolicyQuestion.objects.create(
            clause_id=clause_id,
            question=question,
            contact_email=contact_email.strip(),
            language=language[:2],
            access_key_hash=_key_hash(key),
            asked_at=clock.now(),
        )
        audit.record(
            Actor.public(), "policy_question.ask", object_type="policy_question", object_id=asked.pk
        )
    return asked, key


def question_for_asker(key: str) -> PolicyQuestion | None:
    return PolicyQuestion.objects.filter(access_key_hash=_key_hash(key)).first() if key else None


def _context_for(staff: StaffUser, question: PolicyQuestion) -> Context:
    if staff.role == Role.LIBRARIAN and question.shares.filter(librarian=staff).exists():
        return Context.SHARED
    return Context.NONE


def queue(staff: StaffUser, workstation) -> QuerySet[PolicyQuestion]:
    """Questions this member of staff may see, oldest first: all of them for the Head
    Librarian, the shared ones for a librarian, none for anyone else."""
    shared = PolicyQuestionShare.objects.filter(question=OuterRef("pk"), librarian=staff)
    if staff.role == Role.HEAD_LIBRARIAN:
        visible = PolicyQuestion.objects.all()
    elif staff.role == Role.LIBRARIAN:
        visible = PolicyQuestion.objects.filter(Exists(shared))
    else:
        return PolicyQuestion.objects.none()
    with transaction.atomic():
        audit.record(
            Actor.staff(staff, workstation), "policy_question.list", object_type="policy_question"
        )
    return visible.order_by("status", "asked_at", "pk")


def open_question(staff: StaffUser, workstation, question_id: int) -> PolicyQuestion | None:
    """One question, if this member of staff may read it (None otherwise, as if absent)."""
    question = PolicyQuestion.objects.filter(pk=question_id).first()
    if question is None:
        return None
    try:
        require(staff.role, "policy_question", "read", _context_for(staff, question))
    except AccessDenied:
        return None
    with transaction.atomic():
        audit.record(
            Actor.staff(staff, workstation),
            "policy_question.read",
            object_type="policy_question",
            object_id=question.pk,
        )
    return question


def share(head: StaffUser, workstation, question: PolicyQuestion, librarian: StaffUser) -> None:
    require(head.role, "policy_question", "share", Context.NONE)
    if librarian.role != Role.LIBRARIAN or not librarian.is_active:
        raise QuestionError("librarian", "questions are shared only with librarians")
    with transaction.atomic():
        _, created = PolicyQuestionShare.objects.get_or_create(
            question=question,
            librarian=librarian,
            defaults={"shared_by": head, "shared_at": clock.now()},
        )
        if created:
            audit.record(
                Actor.staff(head, workstation),
                "policy_question.share",
                object_type="policy_question",
                object_id=question.pk,
                reason=f"staff:{librarian.pk}",
            )


def answer(staff: StaffUser, workstation, question: PolicyQuestion, text: str) -> PolicyQuestion:
    """Record the answer; if the asker left an e-mail address, it is sent after commit and
    the address is then removed."""
    require(staff.role, "policy_question", "answer", _context_for(staff, question))
    if not text.strip():
        raise QuestionError("answer", "please write the answer")
    from libdesk.policies.tasks import send_policy_answer

    with transaction.atomic():
        question = PolicyQuestion.objects.select_for_update().get(pk=question.pk)
        question.answer, question.status = text.strip(), QuestionStatus.ANSWERED
        question.answered_at, question.answered_by = clock.now(), staff
        question.save()
        audit.record(
            Actor.staff(staff, workstation),
            "policy_question.answer",
            object_type="policy_question",
            object_id=question.pk,
        )
        if question.contact_email:
            enqueue_after_commit(send_policy_answer, question.pk)
    return question


def librarians_to_share_with() -> QuerySet[StaffUser]:
    return StaffUser.objects.filter(Q(role=Role.LIBRARIAN), is_active=True).order_by("username")
