"""Leaving a comment (policy clause expectations-feedback): anyone, from any page, anonymous or
signed, optionally rated, recording only the kind of service it is about."""

from html import unescape

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.feedback.models import Comment
from tests.conftest import AVERY
from tests.feedback.conftest import avery_id

pytestmark = pytest.mark.django_db


def test_anyone_leaves_an_anonymous_comment_that_names_nobody(client, demo_library):
    response = client.post(
        "/comments/",
        {"service": "general", "text": "The reading room is lovely.", "rating": "5",
         "language": "en"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Thank you for your comment" in response.content.decode()
    comment = Comment.objects.get()
    assert (comment.text, comment.rating, comment.service) == (
        "The reading room is lovely.",
        5,
        "general",
    )
    assert comment.patron_id is None and not comment.wants_reply
    entry = AuditEntry.objects.get(action="feedback.comment")
    assert (entry.actor_kind, entry.actor_id, entry.patron_id) == ("public", "", None)
    assert entry.reason == "general"  # the kind of service, never the text


def test_a_page_names_the_kind_of_service_and_nothing_else(client, demo_library):
    page = client.get("/comments/", {"service": "reference_answer"}).content.decode()
    assert '<option value="reference_answer" selected>' in page
    page = client.get("/comments/", {"service": "x" * 300}).content.decode()
    assert '<option value="general" selected>' in page
    field_names = {f.name for f in Comment._meta.get_fields()}
    for never in ("loan", "question", "visit", "url", "page", "referer", "item"):
        assert not any(never in name for name in field_names), never


def test_a_signed_in_patron_may_sign_and_ask_for_a_reply(avery_browser):
    page = avery_browser.get("/comments/").content.decode()
    assert 'name="sign"' in page and 'name="wants_reply"' in page
    avery_browser.post(
        "/comments/",
        {"service": "desk_visit", "text": "Quick and kind.", "language": "en", "sign": "on",
         "wants_reply": "on"},
    )  # fmt: skip
    comment = Comment.objects.get()
    assert comment.patron_id == avery_id() and comment.wants_reply
    entry = AuditEntry.objects.get(action="feedback.comment")
    # "a patron", never which: the comment outlives its link to the signer
    assert (entry.actor_kind, entry.actor_id) == ("patron", "")


def test_a_signed_in_patron_who_does_not_sign_stays_anonymous(avery_browser):
    avery_browser.post("/comments/", {"service": "website", "text": "Hard to find the hours.",
                                      "language": "en"})  # fmt: skip
    assert Comment.objects.get().patron_id is None
    entry = AuditEntry.objects.get(action="feedback.comment")
    assert (entry.actor_kind, entry.actor_id) == ("public", "")


def test_a_reply_needs_a_signed_comment(avery_browser):
    response = avery_browser.post(
        "/comments/",
        {"service": "general", "text": "Call me?", "language": "en", "wants_reply": "on"},
    )
    assert response.status_code == 422
    assert "a reply goes to your account: sign the comment" in unescape(response.content.decode())
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "w" * 4001}, "at most 4000 characters"),
        ({"text": "   "}, "This field is required"),
        ({"text": "Fine.", "rating": "6"}, "Select a valid choice"),
        ({"text": "Fine.", "service": "the_loan_of_39000000000001"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error_naming_the_field(client, demo_library, data, message):
    response = client.post("/comments/", {"service": "general", "language": "en", **data})
    assert response.status_code == 422
    assert message in unescape(response.content.decode())
    assert not Comment.objects.exists()


def test_anonymous_comments_are_rate_limited_per_address(client, demo_library):
    body = {"service": "general", "text": "Again.", "language": "en"}
    for _ in range(10):
        assert client.post("/comments/", body).status_code == 200
    refused = client.post("/comments/", body)
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert Comment.objects.count() == 10
    other = client.post("/comments/", body, REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 200


def test_the_api_takes_an_anonymous_comment(comment_api):
    response = comment_api({"text": "Great storytime.", "service": "event", "rating": 4})
    assert response.status_code == 201
    comment = Comment.objects.get(pk=response.json()["id"])
    assert (comment.service, comment.rating, comment.patron_id) == ("event", 4, None)


def test_the_api_signs_with_a_patron_token(comment_api):
    body = {"text": "Thanks!", "sign": True, "wants_reply": True}
    response = comment_api(body, AVERY)
    assert response.status_code == 201
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.patron_id == avery_id() and comment.wants_reply
    unsigned = comment_api({"text": "Thanks again."}, AVERY)
    assert Comment.objects.get(pk=unsigned.json()["id"]).patron_id is None


def test_the_api_cannot_sign_without_a_patron_token(comment_api, staff_token, client):
    response = comment_api({"text": "Signed?", "sign": True})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sign"]
    staff = client.post(
        "/api/v1/feedback",
        {"text": "From the staff room."},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {staff_token()}",
    )
    assert staff.status_code == 201  # any other token leaves it unsigned
    assert Comment.objects.get().patron_id is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x" * 4001}, "text"),
        ({"text": "Ok", "rating": 0}, "rating"),
        ({"text": "Ok", "rating": 6}, "rating"),
        ({"text": "Ok", "service": "loan"}, "service"),
        ({"text": "  "}, "text"),
        ({"text": "Ok", "wants_reply": True}, "wants_reply"),
    ],
)
def test_the_api_names_the_field_it_refuses(comment_api, body, field):
    response = comment_api(body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Comment.objects.exists()


def test_the_api_is_rate_limited_like_the_form(comment_api):
    for _ in range(10):
        assert comment_api({"text": "Hi"}).status_code == 201
    refused = comment_api({"text": "Hi"})
    assert refused.status_code == 429
    assert refused.json()["decision"]["code"] == "rate_limited"


def test_every_public_and_account_page_links_to_the_form_but_staff_pages_do_not(
    client, avery_browser, staff_client
):
    link = 'href="/comments/"'
    for path in ("/", "/policies/", "/ask-a-librarian/", "/branches/"):
        assert link in client.get(path).content.decode(), path
    assert link in avery_browser.get("/account/").content.decode()
    assert "/account/comments/" in avery_browser.get("/account/").content.decode()
    librarian = staff_client("librarian")
    assert link not in librarian.get("/staff/").content.decode()
    assert link not in librarian.get("/staff/reference/").content.decode()


def test_the_end_of_a_desk_visit_invites_a_comment_on_the_desk(staff_client):
    clerk = staff_client("clerk")
    serving = clerk.post("/staff/desk/card/", {"card": AVERY}, follow=True)
    assert "/comments/?service=desk_visit" in serving.content.decode()
    receipt = serving.redirect_chain[-1][0].rstrip("/") + "/receipt/"
    assert "/comments/?service=desk_visit" in clerk.get(receipt).content.decode()
