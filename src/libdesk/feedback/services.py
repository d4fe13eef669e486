"""Changes to comments: leaving one (anyone; a signed-in patron may sign it), and staff
triage: filing it under a theme, tying it to a policy clause, responding, closing.

Each is one transaction with its audit entry (ids and registered codes, never the text). A
comment records only the kind of service it is about: no service here takes a question, a
visit, a loan or a page address. A response to a signed comment that wants a reply is
e-mailed after commit (feedback/tasks.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from libdesk.access.table import Context, Role, require
from libdesk.accounts.models import StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.bounds import LONG_TEXT_MAX
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.core.tasks import enqueue_after_commit
from libdesk.feedback.models import (
    RATING_MAX,
    RATING_MIN,
    Comment,
    Response,
    Service,
    Status,
    Theme,
)
from libdesk.feedback.tasks import send_feedback_response
from libdesk.policies.selectors import clause_in_force

OBJECT = "feedback_comment"
LANGUAGES = ("en", "fr")


def _clean_text(field: str, text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError(field, _("please write it"))
    if len(text) > LONG_TEXT_MAX:
        raise InputError(field, _("at most %(limit)d characters") % {"limit": LONG_TEXT_MAX})
    return text


def _choice(field: str, value: str, choices) -> str:
    if value not in choices.values:
        raise InputError(field, _("one of: %s") % ", ".join(choices.values))
    return value


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise InputError("language", _("en or fr"))
    return language


def leave_comment(
    text: str,
    service: str = Service.GENERAL,
    *,
    rating: int | None = None,
    language: str = "en",
    patron_id: int | None = None,
    sign: bool = False,
    wants_reply: bool = False,
) -> Comment:
    """Record a comment. Anyone may leave one; a signed-in patron (`patron_id`) may sign it,
    and a signed comment may ask for a reply (to the account, and by its e-mail). An unsigned
    comment names nobody, not even in its audit entry."""
    service = _choice("service", service, Service)
    text = _clean_text("text", text)
    language = _language(language)
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise InputError(
            "rating",
            _("from %(least)d to %(most)d, or none") % {"least": RATING_MIN, "most": RATING_MAX},
        )
    if sign and patron_id is None:
        raise InputError("sign", _("sign in to your account to sign a comment"))
    if wants_reply and not sign:
        raise InputError("wants_reply", _("a reply goes to your account: sign the comment"))
    signer = patron_id if sign else None
    require(Role.PATRON if signer else Role.PUBLIC, OBJECT, "create", Context.NONE)
    with transaction.atomic():
        comment = Comment.objects.create(
            service=service,
            text=text,
            language=language,
            rating=rating,
            patron_id=signer,
            wants_reply=wants_reply,
            received_at=clock.now(),
        )
        # A signed comment's entry says "a patron", never which one: the comment outlives the
        # link to its signer (closing unlinks it), and the log must not keep the pair.
        actor = Actor.self_service() if signer else Actor.public()
        audit.record(
            actor, "feedback.comment", object_type=OBJECT, object_id=comment.pk, reason=service
        )
    return comment


def _for_triage(staff: StaffUser, comment_id: int) -> Comment:
    """The comment, locked, for a member of staff who triages comments (403 for a role that
    never does; 404 for none; a refusal once it is closed)."""
    require(staff.role, OBJECT, "change", Context.NONE)
    comment = Comment.objects.select_for_update().filter(pk=comment_id, anonymised=False).first()
    if comment is None:
        raise NotFound
    if comment.status == Status.CLOSED:
        raise Refused(Decision.refuse("feedback_closed"))
    return comment


def _opened(comment: Comment) -> list[str]:
    if comment.status == Status.NEW:
        comment.status = Status.OPEN
        return ["status"]
    return []


def set_theme(staff: StaffUser, workstation, comment_id: int, theme: str) -> Comment:
    """File the comment under a theme, for the board's figures."""
    theme = _choice("theme", theme, Theme)
    with transaction.atomic():
        comment = _for_triage(staff, comment_id)
        comment.theme = theme
        comment.save(update_fields=["theme", *_opened(comment)])
        audit.record(
            Actor.staff(staff, workstation),
            "feedback.theme",
            object_type=OBJECT,
            object_id=comment.pk,
            reason=theme,
        )
    return comment


def tie_to_clause(staff: StaffUser, workstation, comment_id: int, clause_id: str) -> Comment:
    """Tie the comment to a clause of a policy in force ("OP-02-01-01/equal-respect"), so the
    policy's review sees it; an empty `clause_id` unties it."""
    clause = None
    if clause_id:
        clause = clause_in_force(clause_id)
        if clause is None:
            raise InputError("clause", _("no such clause in a policy in force"))
    with transaction.atomic():
        comment = _for_triage(staff, comment_id)
        comment.clause = clause
        comment.save(update_fields=["clause", *_opened(comment)])
        audit.record(
            Actor.staff(staff, workstation),
            "feedback.clause",
            object_type=OBJECT,
            object_id=comment.pk,
            reason=f"clause {clause.pk}" if clause else "",
        )
    return comment


def respond(
    staff: StaffUser, workstation, comment_id: int, text: str, *, language: str = "en"
) -> Response:
    """Send the library's response. The patron who signed the comment reads it in their
    account; when they asked for a reply it is also e-mailed, after commit, to their
    account's address. A response to an anonymous comment is kept for the record."""
    text = _clean_text("text", text)
    language = _language(language)
    with transaction.atomic():
        comment = _for_triage(staff, comment_id)
        require(staff.role, OBJECT, "answer", Context.NONE)
        now = clock.now()
        response = Response.objects.create(
            comment=comment, text=text, language=language, sent_at=now, by=staff
        )
        comment.first_response_at = comment.first_response_at or now
        comment.save(update_fields=["first_response_at", *_opened(comment)])
        audit.record(
            Actor.staff(staff, workstation),
            "feedback.respond",
            object_type=OBJECT,
            object_id=comment.pk,
        )
        if comment.wants_reply and comment.patron_id is not None:
            enqueue_after_commit(send_feedback_response, response.pk)
    return response


def close(staff: StaffUser, workstation, comment_id: int) -> Comment:
    """Close the comment: nothing more is filed or sent on it; it stays in the figures."""
    with transaction.atomic():
        comment = _for_triage(staff, comment_id)
        comment.status, comment.closed_at = Status.CLOSED, clock.now()
        comment.save(update_fields=["status", "closed_at"])
        audit.record(
            Actor.staff(staff, workstation),
            "feedback.close",
            object_type=OBJECT,
            object_id=comment.pk,
        )
    return comment


def purge_old_comments() -> int:
    """Past LIBDESK_FEEDBACK_RETENTION_DAYS after it was closed (or after it arrived, for one
    never closed), a comment keeps only its figures (service, theme, rating, clause, times):
    its text, its signature and the library's responses go. One transaction: a purge killed
    half-way leaves every comment whole or done. Answers how many comments were anonymised."""
    cutoff = clock.now() - timedelta(days=settings.LIBDESK["FEEDBACK_RETENTION_DAYS"])
    ended = Q(status=Status.CLOSED, closed_at__lt=cutoff) | (
        ~Q(status=Status.CLOSED) & Q(received_at__lt=cutoff)
    )
    with transaction.atomic():
        ids = list(
            Comment.objects.filter(ended, anonymised=False)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Response.objects.filter(comment_id__in=ids).delete()
        return Comment.objects.filter(pk__in=ids).update(
            text="", patron_id=None, wants_reply=False, anonymised=True
        )


def unlink_patron(patron_id: int) -> int:
    """Closing the account: the patron's signed comments become anonymous (their text stays
    until the retention period ends, naming nobody), and no reply is mailed any more."""
    return Comment.objects.filter(patron_id=patron_id).update(patron_id=None, wants_reply=False)
