"""Staff write the library's news in both languages; the public news page shows it in the
reader's language; only librarians write news and compose and send the newsletter."""

from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.outreach.models import Announcement, NewsletterIssue

pytestmark = pytest.mark.django_db

NEWS = {
    "title_en": "New museum passes",
    "title_fr": "Nouveaux laissez-passer de musée",
    "body_en": "Borrow a pass to the Lake of the Woods Museum.",
    "body_fr": "Empruntez un laissez-passer pour le musée du Lac-des-Bois.",
}


def test_a_librarian_publishes_news_in_both_languages(staff_client, client):
    librarian = staff_client("librarian")
    response = librarian.post("/staff/outreach/news/", NEWS)
    assert response.status_code == 302
    news = Announcement.objects.get()
    entry = AuditEntry.objects.get(action="outreach.announcement.publish")
    assert entry.object_id == str(news.pk) and entry.patron_id is None
    english = unescape(client.get("/news/").content.decode())
    assert NEWS["title_en"] in english and NEWS["title_fr"] not in english
    client.post("/i18n/language/", {"language": "fr", "next": "/news/"})
    french = unescape(client.get("/news/").content.decode())
    assert NEWS["title_fr"] in french and NEWS["body_fr"] in french


def test_news_without_its_french_is_an_error_naming_the_field(staff_client):
    response = staff_client("librarian").post("/staff/outreach/news/", {**NEWS, "title_fr": ""})
    assert response.status_code == 422
    assert "This field is required." in unescape(response.content.decode())
    assert not Announcement.objects.exists()


def test_a_service_refusal_names_the_field(demo_library):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.outreach.services import OutreachError, publish_announcement

    staff = StaffUser.objects.get(username="head")
    with pytest.raises(OutreachError) as error:
        publish_announcement(staff, Workstation.objects.first(), **{**NEWS, "body_fr": "   "})
    assert error.value.field == "body_fr"


@pytest.mark.parametrize("username", ["clerk", "privacy", "admin"])
def test_only_librarians_write_news_and_send_the_newsletter(staff_client, username):
    other = staff_client(username)
    assert other.get("/staff/outreach/news/").status_code == 403
    assert other.post("/staff/outreach/news/", NEWS).status_code == 403
    assert other.post("/staff/outreach/newsletters/", {"title_en": "x"}).status_code == 403
    assert not Announcement.objects.exists() and not NewsletterIssue.objects.exists()


def test_composing_previews_the_issue_in_both_languages(staff_client):
    head = staff_client("head")
    head.post("/staff/outreach/news/", NEWS)
    response = head.post(
        "/staff/outreach/newsletters/",
        {
            "title_en": "Spring news",
            "title_fr": "Nouvelles du printemps",
            "sections": ["news", "new_arrivals"],
            "material_type": "",
            "subject": "",
        },
    )
    assert response.status_code == 302
    issue = NewsletterIssue.objects.get()
    page = unescape(head.get(f"/staff/outreach/newsletters/{issue.pk}/").content.decode())
    assert "Spring news" in page and "Nouvelles du printemps" in page
    assert NEWS["title_en"] in page and NEWS["title_fr"] in page
    assert "Send to everyone who asked for the newsletter" in page


def test_an_issue_that_does_not_exist_is_not_found(staff_client):
    librarian = staff_client("librarian")
    assert librarian.get("/staff/outreach/newsletters/999/").status_code == 404
    assert librarian.post("/staff/outreach/newsletters/999/send/").status_code == 404


def test_an_overlong_title_is_a_form_error(staff_client):
    response = staff_client("librarian").post(
        "/staff/outreach/news/", {**NEWS, "title_en": "t" * 201}
    )
    assert response.status_code == 422
    assert "at most 200 characters" in unescape(response.content.decode())
