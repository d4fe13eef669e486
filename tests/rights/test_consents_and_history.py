"""Consent per purpose and the opt-in reading history, through the API and the patron's pages
(PRIVACY.md, "Patrons' rights" and "Lifecycle"): a history exists only for a patron who said
yes, it is seen, exported and deleted by them, and saying no deletes it."""

import pytest

from libdesk.circulation import services
from libdesk.circulation.models import ReadingHistoryEntry
from libdesk.patrons.models import ConsentRecord
from tests.conftest import AVERY, BEATRICE, bearer
from tests.rights.conftest import consent

pytestmark = pytest.mark.django_db


def _borrow_and_return(desk, patron, shelf, title: str) -> None:
    item = shelf.copy(shelf.record(title))
    services.checkout(desk(), patron, item.barcode)
    services.checkin(desk(), item.barcode)


def test_nobody_has_a_reading_history_without_saying_yes(client, patron_token, desk, patron, shelf):
    token = patron_token(AVERY)
    answers = client.get("/api/v1/me/consents", **bearer(token)).json()
    assert {a["purpose"]: a["given"] for a in answers} == {
        "reading_history": False,
        "guardian_visibility": False,
        "newsletters": False,
    }
    _borrow_and_return(desk, patron(AVERY), shelf, "Returned before any consent")
    assert not ReadingHistoryEntry.objects.exists()
    assert client.get("/api/v1/me/history", **bearer(token)).json() == []


def test_consent_records_policy_version_time_and_channel(client, patron_token):
    token = patron_token(AVERY)
    response = consent(client, token, reading_history=True)
    assert response.status_code == 200, response.content
    mine = {a["purpose"]: a for a in response.json()}["reading_history"]
    assert mine["given"] is True
    assert mine["policy_version"] == "OP-02-01-01 v1"
    assert mine["channel"] == "api"
    assert mine["at"] is not None
    # the same answer again records nothing new; a purpose left out stays as it was
    consent(client, token, reading_history=True)
    consent(client, token, newsletters=False)
    assert ConsentRecord.objects.filter(purpose="reading_history").count() == 1
    assert not ConsentRecord.objects.filter(purpose="newsletters").exists()


def test_check_in_writes_the_history_only_for_the_patron_who_consented(
    client, patron_token, desk, patron, shelf
):
    consent(client, patron_token(AVERY), reading_history=True)
    _borrow_and_return(desk, patron(AVERY), shelf, "Avery's book")
    _borrow_and_return(desk, patron(BEATRICE), shelf, "Beatrice's book")
    entries = list(ReadingHistoryEntry.objects.select_related("record", "patron"))
    assert [(e.patron.card_number, e.record.title) for e in entries] == [(AVERY, "Avery's book")]
    # the record and the day only: nothing of the copy or the loan
    fields = {f.name for f in ReadingHistoryEntry._meta.get_fields()}
    assert fields == {"id", "patron", "record", "returned_on"}


def test_the_patron_sees_and_deletes_the_history_over_the_api(
    client, patron_token, desk, patron, shelf
):
    token = patron_token(AVERY)
    consent(client, token, reading_history=True)
    _borrow_and_return(desk, patron(AVERY), shelf, "First read")
    _borrow_and_return(desk, patron(AVERY), shelf, "Second read")
    history = client.get("/api/v1/me/history", **bearer(token)).json()
    assert sorted(h["title"] for h in history) == ["First read", "Second read"]
    # someone else's history is not theirs to see: Beatrice has none
    assert client.get("/api/v1/me/history", **bearer(patron_token(BEATRICE))).json() == []
    deleted = client.delete("/api/v1/me/history", **bearer(token))
    assert deleted.json() == {"deleted": 2}
    assert client.get("/api/v1/me/history", **bearer(token)).json() == []
    # consent stands: the next return is kept again
    _borrow_and_return(desk, patron(AVERY), shelf, "Third read")
    assert [h["title"] for h in client.get("/api/v1/me/history", **bearer(token)).json()] == [
        "Third read"
    ]


def test_withdrawing_consent_deletes_the_history(client, patron_token, desk, patron, shelf):
    token = patron_token(AVERY)
    consent(client, token, reading_history=True)
    _borrow_and_return(desk, patron(AVERY), shelf, "Kept for a while")
    assert ReadingHistoryEntry.objects.count() == 1
    response = consent(client, token, reading_history=False)
    assert {a["purpose"]: a["given"] for a in response.json()}["reading_history"] is False
    assert not ReadingHistoryEntry.objects.exists()
    _borrow_and_return(desk, patron(AVERY), shelf, "Not kept")
    assert not ReadingHistoryEntry.objects.exists()
    given = ConsentRecord.objects.filter(purpose="reading_history").values_list("given", flat=True)
    assert list(given) == [True, False]


def test_bad_consent_input_is_refused_naming_the_field(client, patron_token):
    response = consent(client, patron_token(AVERY), reading_history="perhaps")
    assert response.status_code == 422
    assert "reading_history" in str(response.json()["detail"][0]["loc"])
    assert not ConsentRecord.objects.exists()


def test_staff_tokens_have_no_me(client, staff_token):
    token = staff_token("clerk")
    for method, path in (
        ("get", "/api/v1/me/consents"),
        ("put", "/api/v1/me/consents"),
        ("get", "/api/v1/me/history"),
        ("delete", "/api/v1/me/history"),
        ("get", "/api/v1/me/export"),
    ):
        response = getattr(client, method)(path, content_type="application/json", **bearer(token))
        assert response.status_code == 401, (method, path)


def test_the_privacy_page_saves_choices_and_shows_the_history(browser, desk, patron, shelf):
    web = browser(AVERY)
    page = web.get("/account/privacy/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "Keep my reading history" in page.content.decode()
    saved = web.post("/account/privacy/consents/", {"reading_history": "on"}, follow=True)
    assert "Your choices were saved." in saved.content.decode()
    record = ConsentRecord.objects.get(purpose="reading_history")
    assert (record.given, record.channel, record.policy_version) == (True, "web", "OP-02-01-01 v1")
    assert "OP-02-01-01 v1" in saved.content.decode()  # the answers on record
    _borrow_and_return(desk, patron(AVERY), shelf, "Seen on the page")
    history = web.get("/account/privacy/history/").content.decode()
    assert "Seen on the page" in history
    deleted = web.post("/account/privacy/delete-history/", follow=True).content.decode()
    assert "Titles deleted from your reading history: 1." in deleted
    assert "Seen on the page" not in deleted
    # unticking the box is saying no
    web.post("/account/privacy/consents/", {})
    assert not ConsentRecord.objects.filter(purpose="reading_history").latest("pk").given


def test_the_account_page_links_to_the_privacy_page(browser):
    page = browser(AVERY).get("/account/").content.decode()
    assert 'href="/account/privacy/"' in page


def test_privacy_pages_need_a_signed_in_patron(client, demo_library):
    for path in ("/account/privacy/", "/account/privacy/history/", "/account/privacy/export/"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], path


def test_a_guardian_never_sees_the_history_unless_the_child_chose_so(
    client, patron_token, desk, patron, shelf
):
    from libdesk.access.purposes import Access
    from libdesk.access.table import Context, Role
    from libdesk.audit.actors import Actor
    from libdesk.circulation.reading_history import history
    from libdesk.core.errors import NotFound
    from tests.conftest import JORDAN, SAM

    sam, jordan = patron(SAM), patron(JORDAN)
    consent(client, patron_token(SAM), reading_history=True)
    _borrow_and_return(desk, sam, shelf, "Sam's own reading")
    as_guardian = Access(
        Actor.guardian(jordan.pk),
        Role.GUARDIAN,
        Context.GUARDIAN,
        sam.pk,
        "guardian online",
        guardian_id=jordan.pk,
    )
    with pytest.raises(NotFound):
        history(as_guardian)
    assert [e.record.title for e in history(Access.own(sam.pk))] == ["Sam's own reading"]
