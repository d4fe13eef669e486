"""One "looked at" entry per kind of data per serving context (and per guardian sign-in),
however many pages show it; the patron reads their access log in plain words, in their
language, on the account page and over the API; the audit log itself keeps the codes."""

from collections import Counter

import pytest
from django.test import Client

from libdesk.access.purposes import Access
from libdesk.access.table import Context, Role
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditEntry
from libdesk.patrons.models import Patron
from tests.conftest import AVERY, BEATRICE, JORDAN, PINS, SAM, bearer

pytestmark = pytest.mark.django_db


def reads_of(card: str) -> Counter:
    patron = Patron.objects.get(card_number=card)
    return Counter(
        AuditEntry.objects.filter(
            patron_id=patron.pk, action__startswith="patron.read"
        ).values_list("data_kind", flat=True)
    )


def visit(clerk: Client, card: str, page_views: int) -> None:
    serving = clerk.post("/staff/desk/card/", {"card": card})["Location"]
    for _ in range(page_views):
        assert clerk.get(serving).status_code == 200


def test_a_desk_visit_records_each_kind_of_data_once(staff_client):
    clerk = staff_client("clerk")
    visit(clerk, AVERY, 1)
    first = reads_of(AVERY)
    assert first and set(first.values()) == {1}, first
    assert {"profile", "loans", "holds", "fees"} <= set(first)
    written = AuditEntry.objects.count()
    visit_page = AuditEntry.objects.filter(action="serving.open").latest("seq").object_id
    for _ in range(5):
        assert clerk.get(f"/staff/serving/{visit_page}/").status_code == 200
    assert AuditEntry.objects.count() == written  # five more page views, no more entries
    assert reads_of(AVERY) == first


def test_a_new_visit_records_again_and_another_desk_records_its_own(staff_client):
    visit(staff_client("clerk"), AVERY, 3)
    once = reads_of(AVERY)
    visit(staff_client("clerk"), AVERY, 3)  # the same clerk, a new serving context
    assert reads_of(AVERY) == once + once
    visit(staff_client("clerk", workstation="KEEW-DESK-1"), AVERY, 2)
    assert reads_of(AVERY) == once + once + once


def test_an_api_client_records_each_kind_once_per_context(client, staff_token, serving):
    token = staff_token()
    at_desk = serving(token, AVERY)
    for _ in range(3):
        for kind in ("loans", "holds", "fees", "requests"):
            assert client.get(f"/api/v1/patron/{kind}", **at_desk).status_code == 200
    assert reads_of(AVERY) == Counter(loans=1, holds=1, fees=1, requests=1)
    again = serving(token, AVERY)
    client.get("/api/v1/patron/loans", **again)
    assert reads_of(AVERY)["loans"] == 2


def test_a_guardian_at_the_desk_is_recorded_once_per_kind(demo_library):
    from libdesk.accounts.models import StaffUser, Workstation

    child = Patron.objects.get(card_number=SAM)
    guardian = Patron.objects.get(card_number=JORDAN)
    actor = Actor.staff(StaffUser.objects.get(username="clerk"), Workstation.objects.first())
    access = Access(
        actor, Role.CLERK, Context.GUARDIAN_AT_DESK, child.pk, "guardian_id_checked", guardian.pk
    )
    audit.record(actor, "serving.open", patron_id=child.pk, data_kind="account_opened")
    for _ in range(3):
        access.read("patron.loans", "loans")
        access.read("patron.holds", "holds")
    reads = AuditEntry.objects.filter(action="patron.read.guardian", patron_id=child.pk)
    assert sorted(reads.values_list("data_kind", "object_id")) == [
        ("holds", str(guardian.pk)),
        ("loans", str(guardian.pk)),
    ]


def test_a_guardian_online_is_recorded_once_per_kind_per_sign_in(client, demo_library):
    child = Patron.objects.get(card_number=SAM)
    guardian = Patron.objects.get(card_number=JORDAN)

    def sign_in_and_look(times: int) -> None:
        answer = client.post(
            "/api/v1/auth/patron",
            {"patron_card": JORDAN, "pin": PINS[JORDAN]},
            content_type="application/json",
        )
        assert answer.status_code == 201
        for _ in range(times):  # one Access per request, as a door makes one
            Access(
                Actor.guardian(guardian.pk),
                Role.GUARDIAN,
                Context.GUARDIAN,
                child.pk,
                "",
                guardian.pk,
            ).read("patron.loans", "loans")

    sign_in_and_look(4)
    assert reads_of(SAM) == Counter(loans=1)
    sign_in_and_look(2)
    assert reads_of(SAM) == Counter(loans=2)


def account_log(client: Client, card: str, language: str) -> str:
    client.post("/account/sign-in/", {"card": card, "pin": PINS[card]})
    page = client.get("/account/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    marker = "Who looked at your record" if language == "en" else "Qui a consulté votre dossier"
    return page.split(marker)[1].split("</section>")[0]


def test_the_account_page_says_who_looked_in_plain_words(staff_client):
    visit(staff_client("clerk"), AVERY, 2)
    log = account_log(Client(), AVERY, "en")
    for words in ("Circulation clerk", "Main", "your loans", "your holds", "your fees"):
        assert words in log, words
    assert "account opened at the desk" in log
    for code in (">clerk<", ">MAIN<", ">loans<", "card_presented", "patron.read"):
        assert code not in log, code
    assert log.count("your loans") == 1


def test_the_account_page_says_it_in_french(staff_client):
    visit(staff_client("clerk", workstation="KEEW-DESK-1"), BEATRICE, 1)
    log = account_log(Client(), BEATRICE, "fr")
    for words in ("Commis au prêt", "Keewatin", "vos prêts", "vos réservations"):
        assert words in log, words
    assert "your loans" not in log


def test_the_api_gives_the_words_beside_the_codes(client, staff_token, serving, patron_token):
    at_desk = serving(staff_token())
    client.get("/api/v1/patron/loans", **at_desk)
    client.get("/api/v1/patron/loans", **at_desk)
    mine = bearer(patron_token(AVERY))
    english = client.get("/api/v1/me/access-log", **mine).json()
    assert [(e["data_kind"], e["what"], e["role_label"], e["branch_name"]) for e in english] == [
        ("loans", "your loans", "Circulation clerk", "Main"),
        ("account opened at the desk", "account opened at the desk", "Circulation clerk", "Main"),
    ]
    french = client.get("/api/v1/me/access-log", HTTP_ACCEPT_LANGUAGE="fr", **mine).json()
    assert [e["what"] for e in french] == ["vos prêts", "dossier ouvert au comptoir"]
    assert {(e["role"], e["branch"]) for e in french} == {("clerk", "MAIN")}
