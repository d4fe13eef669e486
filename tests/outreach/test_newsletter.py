"""The newsletter (PRIVACY.md, "Consent records per purpose"): it goes only to those whose
latest answer is yes, each in their language with their own unsubscribe link, which works
without signing in and is recorded as a withdrawal in their consent history; a re-run of the
sending mails nobody twice."""

import re
from html import unescape

import pytest
from django.core import mail

from libdesk.core.decisions import Refused
from libdesk.outreach import mailing, services
from libdesk.outreach.models import IssueState, NewsletterDelivery, NewsletterIssue
from libdesk.patrons.models import ConsentRecord, Patron
from tests.conftest import AVERY, BEATRICE, JORDAN, PINS, SAM
from tests.outreach.conftest import consent

pytestmark = pytest.mark.django_db


def _news(librarian):
    staff, station = librarian
    return services.publish_announcement(
        staff,
        station,
        title_en="Longer hours at Keewatin",
        title_fr="Heures prolongées à Keewatin",
        body_en="Open until 8 pm on Thursdays.",
        body_fr="Ouvert jusqu'à 20 h le jeudi.",
    )


def _issue(librarian, **kwargs):
    staff, station = librarian
    fields = {
        "title_en": "Kenora Public Library news, spring",
        "title_fr": "Nouvelles de la bibliothèque, printemps",
        "sections": ["news", "new_arrivals"],
        **kwargs,
    }
    return services.compose_issue(staff, station, **fields)


def _to(card: str) -> list:
    email = Patron.objects.get(card_number=card).email
    return [m for m in mail.outbox if m.to == [email]]


def test_only_those_who_said_yes_get_the_issue(librarian, send, subscribers, catalogue):
    _news(librarian)
    catalogue.arrival("The lake in winter")
    send(_issue(librarian))
    assert len(mail.outbox) == 2
    assert _to(AVERY) and _to(BEATRICE)
    assert not _to(JORDAN) and not _to(SAM)  # withdrew; never asked
    issue = NewsletterIssue.objects.get()
    assert issue.state == IssueState.SENT and issue.sent_at is not None
    assert NewsletterDelivery.objects.filter(issue=issue).count() == 2


def test_each_recipient_reads_it_in_their_language(librarian, send, subscribers, catalogue):
    _news(librarian)
    catalogue.arrival("The lake in winter")
    send(_issue(librarian))
    (english,), (french,) = _to(AVERY), _to(BEATRICE)
    assert english.subject == "Kenora Public Library news, spring"
    assert "Longer hours at Keewatin" in english.body and "The lake in winter" in english.body
    assert french.subject == "Nouvelles de la bibliothèque, printemps"
    assert "Heures prolongées à Keewatin" in french.body
    assert "Ouvert jusqu'à 20 h le jeudi." in french.body
    assert "Longer hours" not in french.body


def test_each_message_carries_its_own_unsubscribe_link(librarian, send, subscribers, catalogue):
    catalogue.arrival("The lake in winter")
    send(_issue(librarian))
    (english,), (french,) = _to(AVERY), _to(BEATRICE)
    links = [re.search(r"http://testserver/newsletter/unsubscribe/\S+/", m.body)[0] for m in
             (english, french)]  # fmt: skip
    assert links[0] != links[1]
    assert english.extra_headers["List-Unsubscribe"] == f"<{links[0]}>"
    # the link does not say whose it is: only the library's key opens it
    from django.test import override_settings

    from libdesk.outreach.links import patron_for_token

    token = links[0].rstrip("/").rsplit("/", 1)[1]
    assert patron_for_token(token) == Patron.objects.get(card_number=AVERY).pk
    with override_settings(SECRET_KEY="another library's key " * 3, SECRET_KEY_FALLBACKS=[]):
        assert patron_for_token(token) is None


def test_the_link_works_without_signing_in_and_is_in_the_consent_history(
    client, librarian, send, subscribers, catalogue
):
    catalogue.arrival("The lake in winter")
    send(_issue(librarian))
    link = re.search(r"/newsletter/unsubscribe/\S+/", _to(AVERY)[0].body)[0]
    page = client.get(link)
    assert page.status_code == 200  # asks to confirm: opening the link changes nothing
    avery = Patron.objects.get(card_number=AVERY)
    assert ConsentRecord.objects.filter(patron=avery, given=False).count() == 0
    done = client.post(link)
    assert done.status_code == 200
    assert "will not send you its newsletter" in unescape(done.content.decode())
    latest = ConsentRecord.objects.filter(patron=avery, purpose="newsletters").latest("pk")
    assert (latest.given, latest.channel) == (False, "web")
    assert latest.policy_version  # the policy in force, as every consent record
    # what depended on the consent goes with it: the record of the issues sent
    assert not NewsletterDelivery.objects.filter(patron=avery).exists()
    mail.outbox.clear()
    catalogue.arrival("The lake in spring")
    send(_issue(librarian, title_en="Summer", title_fr="Été"))
    assert not _to(AVERY) and _to(BEATRICE)


def test_the_withdrawal_shows_in_the_patrons_own_consent_page(
    client, librarian, send, subscribers, catalogue
):
    catalogue.arrival("The lake in winter")
    send(_issue(librarian))
    client.post(re.search(r"/newsletter/unsubscribe/\S+/", _to(AVERY)[0].body)[0])
    assert client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]}).status_code == 302
    page = client.get("/account/privacy/").content.decode()
    (box,) = re.findall(r'<input[^>]*name="newsletters"[^>]*>', page)
    assert "checked" not in box


@pytest.mark.parametrize("token", ["MTI:forged", "x" * 80, "1"])
def test_a_made_up_link_finds_nothing(client, demo_library, token):
    assert client.get(f"/newsletter/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 404


def test_a_link_signed_for_another_purpose_is_not_an_unsubscribe_link(client, demo_library):
    from django.core import signing

    avery = Patron.objects.get(card_number=AVERY)
    other = signing.dumps(avery.pk, salt="something else")
    assert client.post(f"/newsletter/unsubscribe/{other}/").status_code == 404


def test_unsubscribing_is_rate_limited_per_address(client, demo_library):
    from libdesk.outreach.links import unsubscribe_token

    consent(AVERY)
    link = f"/newsletter/unsubscribe/{unsubscribe_token(Patron.objects.get(card_number=AVERY).pk)}/"
    answers = [client.post(link).status_code for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429


def test_a_rerun_of_the_sending_mails_nobody_twice(librarian, send, subscribers, catalogue):
    catalogue.arrival("The lake in winter")
    issue = send(_issue(librarian))
    assert len(mail.outbox) == 2
    assert mailing.deliver_issue(issue.pk) == 0
    assert len(mail.outbox) == 2


def test_someone_who_stops_and_restarts_the_newsletter_never_gets_an_issue_twice(
    librarian, send, subscribers, catalogue
):
    """Stopping the newsletter deletes the record of the issues sent; a later re-run of a
    finished issue must still mail nobody."""
    from libdesk.outreach import services as outreach
    from libdesk.outreach.links import unsubscribe_token
    from tests.outreach.conftest import consent

    catalogue.arrival("The lake in winter")
    issue = send(_issue(librarian))
    avery = Patron.objects.get(card_number=AVERY)
    outreach.unsubscribe(unsubscribe_token(avery.pk))
    assert not NewsletterDelivery.objects.filter(patron=avery).exists()
    consent(AVERY)  # asks for it again
    assert mailing.deliver_issue(issue.pk) == 0
    assert len(mail.outbox) == 2


def test_a_sending_cut_short_finishes_with_those_not_yet_mailed(
    librarian, send, subscribers, catalogue, monkeypatch
):
    """The task dies after the first message; the re-run mails only the other recipient."""
    from django.core.mail import EmailMessage

    catalogue.arrival("The lake in winter")
    real_send, sent = EmailMessage.send, []

    def dies_on_the_second(message, *args, **kwargs):
        if sent:
            raise ConnectionError("the mail server went away")
        sent.append(message.to)
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", dies_on_the_second)
    send(_issue(librarian))  # the task fails (the task backend records it)
    issue = NewsletterIssue.objects.get()
    assert issue.state == IssueState.SENDING
    assert len(mail.outbox) == 1 and NewsletterDelivery.objects.filter(issue=issue).count() == 1
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert mailing.deliver_issue(issue.pk) == 1
    assert NewsletterIssue.objects.get().state == IssueState.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Patron.objects.get(card_number=card).email for card in (AVERY, BEATRICE)
    )


def test_a_sent_issue_is_not_sent_again(staff_client, send, librarian, subscribers, catalogue):
    catalogue.arrival("The lake in winter")
    issue = send(_issue(librarian))
    page = staff_client("librarian").post(f"/staff/outreach/newsletters/{issue.pk}/send/")
    assert page.status_code == 409
    assert "already been sent" in unescape(page.content.decode())
    assert "What the library is for" in unescape(page.content.decode())  # its clause
    assert len(mail.outbox) == 2


def test_an_issue_with_nothing_to_say_is_refused(librarian, send, subscribers):
    with pytest.raises(Refused) as refused:
        send(_issue(librarian))
    assert refused.value.decision.code == "newsletter_empty"
    assert NewsletterIssue.objects.get().state == IssueState.DRAFT
    assert mail.outbox == []


def test_without_a_mail_server_the_issue_stays_a_draft(
    librarian, send, subscribers, catalogue, settings
):
    from libdesk.library.mail import BACKEND
    from libdesk.library.models import Library

    Library.objects.update(is_demo=False)
    settings.EMAIL_BACKEND = BACKEND
    catalogue.arrival("The lake in winter")
    with pytest.raises(Refused) as refused:
        send(_issue(librarian))
    assert refused.value.decision.code == "newsletter_no_mail"
    assert NewsletterIssue.objects.get().state == IssueState.DRAFT


def test_the_next_issue_covers_only_what_came_after_the_last(
    librarian, send, subscribers, catalogue
):
    catalogue.arrival("The lake in winter")
    send(_issue(librarian))
    mail.outbox.clear()
    catalogue.arrival("The lake in spring")
    send(_issue(librarian, title_en="Summer", title_fr="Été"))
    body = _to(AVERY)[0].body
    assert "The lake in spring" in body and "The lake in winter" not in body


def test_new_arrivals_by_subject_or_by_format(librarian, send, subscribers, catalogue):
    catalogue.arrival("Trains of the north", subjects=("Railroads -- Ontario",))
    catalogue.arrival("A film about lakes", material_type="dvd")
    catalogue.arrival("Cooking with wild rice", subjects=("Cooking",))
    send(_issue(librarian, subject="Railroads"))
    body = _to(AVERY)[0].body
    assert "New arrivals: Railroads" in body and "Trains of the north" in body
    assert "A film about lakes" not in body and "Cooking with wild rice" not in body
    mail.outbox.clear()
    NewsletterIssue.objects.update(covers_until=None)  # let the next issue cover them again
    send(_issue(librarian, material_type="dvd", title_en="Films", title_fr="Films"))
    body = _to(AVERY)[0].body
    assert "A film about lakes" in body and "Trains of the north" not in body


def test_an_unknown_section_or_format_is_an_error_naming_the_field(librarian, demo_library):
    with pytest.raises(services.OutreachError) as error:
        _issue(librarian, sections=["gossip"])
    assert error.value.field == "sections"
    with pytest.raises(services.OutreachError) as error:
        _issue(librarian, material_type="scroll")
    assert error.value.field == "material_type"


def test_new_programs_added_since_the_last_issue_are_announced(librarian, send, subscribers):
    from datetime import timedelta

    from libdesk.accounts.models import StaffUser
    from libdesk.core import clock
    from libdesk.programs import services as programs

    organizer = StaffUser.objects.get(username="librarian")
    starts = clock.now() + timedelta(days=10)
    details = programs.EventDetails(
        title_en="Story time by the lake", title_fr="L'heure du conte au bord du lac",
        audience="children", branch="MAIN", organizer_id=organizer.pk,
        starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=12,
    )  # fmt: skip
    programs.create_event(organizer, None, details)
    send(_issue(librarian, sections=["new_programs"]))
    assert "Story time by the lake" in _to(AVERY)[0].body


def test_the_sending_task_carries_the_issue_only(
    librarian, send, subscribers, catalogue, monkeypatch
):
    from libdesk.outreach import tasks

    queued = []
    monkeypatch.setattr(
        services, "enqueue_after_commit", lambda task, *args: queued.append((task, args))
    )
    catalogue.arrival("The lake in winter")
    issue = send(_issue(librarian))
    assert queued == [(tasks.send_newsletter, (issue.pk,))]


def test_an_issue_title_is_one_line(librarian, demo_library):
    with pytest.raises(services.OutreachError) as error:
        _issue(librarian, title_en="News\nBcc: someone@example.org")
    assert error.value.field == "title_en"
