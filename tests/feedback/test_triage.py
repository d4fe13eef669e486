"""Staff triage: librarians and the Head Librarian take new comments oldest first, file them
under a theme, tie them to a policy clause, respond and close. A signed comment's page names
its patron, and that look is audited; the queue never names anyone."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.core import clock
from libdesk.feedback import services
from libdesk.feedback.models import Comment, Response
from tests.conftest import AVERY, PINS
from tests.feedback.conftest import avery_id

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _comments():
    with clock.travel_to(MONDAY):
        older = services.leave_comment("The stairs need a rail.", "general", rating=2)
        clock.advance(timedelta(hours=1))
        signed = services.leave_comment(
            "Please open on Sundays.", "general", patron_id=avery_id(), sign=True,
            wants_reply=True,
        )  # fmt: skip
    return older, signed


def test_the_queue_shows_new_comments_oldest_first_and_never_who_signed(librarian):
    _older, _signed = _comments()
    page = librarian.get("/staff/comments/").content.decode()
    assert page.index("The stairs need a rail.") < page.index("Please open on Sundays.")
    assert "Avery" not in page and AVERY not in page
    assert AuditEntry.objects.filter(action="feedback.read").count() == 0


def test_reading_a_signed_comment_names_the_patron_and_is_audited(librarian):
    _older, signed = _comments()
    page = librarian.get(f"/staff/comments/{signed.pk}/").content.decode()
    assert "Avery Lindqvist" in page and "wants a reply" in page
    entry = AuditEntry.objects.get(action="feedback.read")
    assert (entry.patron_id, entry.data_kind, entry.object_id) == (
        avery_id(),
        "feedback_comment",
        "",  # not which comment: it outlives the link to its signer
    )
    assert entry.actor_role == "librarian"


def test_reading_an_anonymous_comment_is_not_a_read_of_anyone(librarian):
    older, _signed = _comments()
    page = librarian.get(f"/staff/comments/{older.pk}/").content.decode()
    assert "anonymous" in page
    assert not AuditEntry.objects.filter(action="feedback.read").exists()


def test_the_patron_sees_that_staff_read_their_signed_comment(librarian, client, demo_library):
    _older, signed = _comments()
    librarian.get(f"/staff/comments/{signed.pk}/")
    client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    page = client.get("/account/").content.decode()
    assert "a comment you signed, with your name" in page


def test_filing_tying_responding_and_closing(
    librarian, mailoutbox, django_capture_on_commit_callbacks
):
    _older, signed = _comments()
    url = f"/staff/comments/{signed.pk}"
    assert librarian.post(f"{url}/theme/", {"theme": "hours"}).status_code == 302
    clause = "OP-02-01-01/expectations-feedback"
    assert librarian.post(f"{url}/clause/", {"clause": clause}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        sent = librarian.post(
            f"{url}/respond/", {"text": "We are looking at Sunday hours.", "language": "en"}
        )
    assert sent.status_code == 302
    signed.refresh_from_db()
    assert (signed.theme, signed.status) == ("hours", "open")
    assert signed.clause.clause_id == clause and signed.first_response_at is not None
    [mail] = mailoutbox
    assert mail.to == ["avery@example.org"]
    assert "We are looking at Sunday hours." in mail.body
    assert "Please open on Sundays." not in mail.body  # the comment is not repeated
    from libdesk.feedback.tasks import send_feedback_response

    send_feedback_response.call(Response.objects.get().pk)  # a retry sends nothing more
    assert len(mailoutbox) == 1
    assert librarian.post(f"{url}/close/").status_code == 302
    signed.refresh_from_db()
    assert signed.status == "closed" and signed.closed_at is not None
    reasons = dict(
        AuditEntry.objects.filter(action__startswith="feedback.", object_id=str(signed.pk))
        .exclude(action__in=["feedback.read", "feedback.comment"])
        .values_list("action", "reason")
    )
    assert reasons["feedback.theme"] == "hours"
    assert reasons["feedback.clause"] == f"clause {signed.clause_id}"
    assert reasons["feedback.respond"] == "" and reasons["feedback.close"] == ""
    page = librarian.get("/staff/comments/").content.decode()
    assert "Please open on Sundays." not in page  # closed: off the queue
    assert "The stairs need a rail." in page


def test_a_response_to_an_anonymous_comment_is_kept_and_mailed_to_nobody(
    librarian, mailoutbox, django_capture_on_commit_callbacks
):
    older, _signed = _comments()
    with django_capture_on_commit_callbacks(execute=True):
        librarian.post(f"/staff/comments/{older.pk}/respond/", {"text": "Fixed.", "language": "en"})
    assert Response.objects.filter(comment=older).count() == 1
    assert mailoutbox == []


def test_the_patron_reads_the_response_in_their_account(librarian, avery_browser):
    _older, signed = _comments()
    librarian.post(
        f"/staff/comments/{signed.pk}/respond/", {"text": "Sundays from May.", "language": "en"}
    )
    page = avery_browser.get("/account/comments/")
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Please open on Sundays." in text and "Sundays from May." in text
    assert "The stairs need a rail." not in text


def test_a_closed_comment_refuses_more_with_its_clause(librarian, demo_library):
    older, _signed = _comments()
    librarian.post(f"/staff/comments/{older.pk}/close/")
    response = librarian.post(
        f"/staff/comments/{older.pk}/respond/", {"text": "Late.", "language": "en"}, follow=True
    )
    assert "The comment was closed" in unescape(response.content.decode())
    assert not Response.objects.exists()
    from libdesk.core.decisions import Decision

    decision = Decision.refuse("feedback_closed")
    assert decision.clauses == ("OP-02-01-01/expectations-feedback",)


def test_a_clause_not_in_force_is_a_form_error(librarian):
    older, _signed = _comments()
    response = librarian.post(f"/staff/comments/{older.pk}/clause/", {"clause": "XX/nothing"})
    assert response.status_code == 422
    older.refresh_from_db()
    assert older.clause is None
    with pytest.raises(Exception, match="no such clause"):
        services.tie_to_clause(_librarian_user(), None, older.pk, "XX/nothing")


def _librarian_user():
    from libdesk.accounts.models import StaffUser

    return StaffUser.objects.get(username="librarian")


def test_other_roles_may_not_triage(staff_client):
    older, _signed = _comments()
    for who in ("clerk", "privacy", "admin"):
        browser = staff_client(who)
        assert browser.get("/staff/comments/").status_code == 403
        assert browser.get(f"/staff/comments/{older.pk}/").status_code == 403
        assert browser.post(f"/staff/comments/{older.pk}/close/").status_code == 403
    assert Comment.objects.get(pk=older.pk).status == "new"


def test_an_unknown_comment_is_not_found(librarian):
    assert librarian.get("/staff/comments/999999/").status_code == 404
    assert librarian.post("/staff/comments/999999/close/").status_code == 404


def test_the_api_gives_the_patron_their_signed_comments_and_the_responses(
    librarian, client, patron_token
):
    from tests.conftest import bearer

    _older, signed = _comments()
    services.respond(_librarian_user(), None, signed.pk, "Sundays from May.")
    response = client.get("/api/v1/me/feedback", **bearer(patron_token(AVERY)))
    assert response.status_code == 200
    [mine] = response.json()
    assert (mine["id"], mine["text"], mine["wants_reply"]) == (
        signed.pk,
        "Please open on Sundays.",
        True,
    )
    assert [r["text"] for r in mine["responses"]] == ["Sundays from May."]
    assert client.get("/api/v1/me/feedback").status_code == 401
