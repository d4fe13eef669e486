"""Signed comments are the patron's data: exported in their words, made anonymous when the
account closes, and reduced to figures after LIBDESK_FEEDBACK_RETENTION_DAYS."""

from datetime import date, timedelta

import pytest

from libdesk.accounts.models import StaffUser
from libdesk.core import clock, patron_data, retention
from libdesk.feedback import services
from libdesk.feedback.models import Comment, Response
from tests.feedback.conftest import avery_id

pytestmark = pytest.mark.django_db
KIND = "feedback.comments"


def _librarian():
    return StaffUser.objects.get(username="librarian")


def test_the_export_shows_the_signed_comments_and_the_responses(demo_library):
    signed = services.leave_comment(
        "Lovely garden.", "general", rating=5, patron_id=avery_id(), sign=True
    )
    services.leave_comment("Not mine to export.", "general")
    services.respond(_librarian(), None, signed.pk, "Thank you, the volunteers did it.")
    [row] = patron_data.kind_named(KIND).export(avery_id())
    assert row["you_wrote"] == "Lovely garden." and row["your_rating"] == 5
    assert row["responses"][0]["response"] == "Thank you, the volunteers did it."
    assert "librarian" not in str(row)


def test_closing_the_account_leaves_the_comment_anonymous(demo_library):
    signed = services.leave_comment(
        "Sign me.", "general", patron_id=avery_id(), sign=True, wants_reply=True
    )
    assert patron_data.kind_named(KIND).apply_closing(avery_id()) == 1
    signed.refresh_from_db()
    assert signed.patron_id is None and not signed.wants_reply
    assert signed.text == "Sign me."  # kept, naming nobody, until its retention ends


def test_the_purge_keeps_only_the_figures_after_the_retention_period(settings, demo_library):
    settings.LIBDESK = {**settings.LIBDESK, "FEEDBACK_RETENTION_DAYS": 30}
    with clock.travel_to(date(2026, 1, 5)):
        closed = services.leave_comment("Old.", "event", rating=3, patron_id=avery_id(), sign=True)
        services.set_theme(_librarian(), None, closed.pk, "programs")
        services.respond(_librarian(), None, closed.pk, "Noted.")
        services.close(_librarian(), None, closed.pk)
        never_closed = services.leave_comment("Forgotten.", "general")
        clock.advance(timedelta(days=20))
        recent = services.leave_comment("Recent.", "general")
        clock.advance(timedelta(days=11))
        assert services.purge_old_comments() == 2
        assert services.purge_old_comments() == 0  # a second run finds nothing more
    closed.refresh_from_db()
    assert (closed.text, closed.patron_id, closed.anonymised) == ("", None, True)
    assert (closed.service, closed.rating, closed.theme) == ("event", 3, "programs")
    assert closed.first_response_at is not None
    assert not Response.objects.filter(comment=closed).exists()
    assert Comment.objects.get(pk=never_closed.pk).anonymised
    assert Comment.objects.get(pk=recent.pk).text == "Recent."


def test_the_retention_period_is_public(client, demo_library):
    lines = {period.setting: period for period in retention.periods()}
    assert "FEEDBACK_RETENTION_DAYS" in lines
    page = client.get("/how-long-we-keep-information/").content.decode()
    assert "Comments you signed" in page and "365 days" in page
