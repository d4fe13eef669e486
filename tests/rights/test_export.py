"""Download my data (PRIVACY.md, "Patrons' rights"): everything libdesk holds about the patron,
as JSON, through the API and the account page; nothing about anyone else, no secret, and no
member of staff beyond their role and branch."""

import json

import pytest

from libdesk.api.models import ApiToken
from libdesk.core import patron_data
from libdesk.patrons.models import Patron
from tests.conftest import AVERY, BEATRICE, JORDAN, SAM, bearer
from tests.rights import world as canary

pytestmark = pytest.mark.django_db

EVERY_KIND_WITH_ROWS = {
    "patrons.record",
    "patrons.guardian_links",
    "patrons.consents",
    "patrons.sign_in_pauses",
    "patrons.card_blocks",
    "patrons.notes",
    "circulation.loans",
    "circulation.holds",
    "circulation.requests",
    "circulation.fees",
    "circulation.payments",
    "circulation.overrides",
    "circulation.notices_sent",
    "circulation.reading_history",
    "circulation.offline_conflicts",
    "rights.correction_requests",
    "privacy.serving_contexts",
    "audit.entries",
    "api.tokens",
    "reference.questions",
    "feedback.comments",
    "outreach.newsletter_deliveries",
    "outreach.organization_contacts",
    "programs.registrations",
    "catalog.saved_lists",
    "catalog.saved_list_entries",
}


@pytest.fixture
def world(client, shelf):
    return canary.build(client, shelf)


def _export(client, token: str) -> tuple[dict, str]:
    response = client.get("/api/v1/me/export", **bearer(token))
    assert response.status_code == 200, response.content[:500]
    return response.json(), response.content.decode()


def test_the_export_holds_every_kind_the_registry_knows(client, world):
    export, _ = _export(client, world.token)
    sections = {s["kind"]: s for s in export["sections"]}
    assert set(sections) == {kind.name for kind in patron_data.kinds()}
    assert {k for k, s in sections.items() if s["rows"]} >= EVERY_KIND_WITH_ROWS
    for section in export["sections"]:
        assert section["title"] and section["how_long_it_is_kept"]
        assert section["when_you_close_your_account"]


def test_the_export_says_it_in_the_patrons_words(client, world):
    export, _ = _export(client, world.token)
    sections = {s["kind"]: s["rows"] for s in export["sections"]}
    (record,) = sections["patrons.record"]
    assert record["name"] == canary.CANARY_NAME
    assert record["card_number"] == canary.CANARY_CARD
    assert record["email"] == canary.CANARY_EMAIL
    assert record["category"] == "Child" and record["has_a_pin"] is True
    assert {r["title"] for r in sections["circulation.reading_history"]} == {
        "A title read and returned",
        "A title returned damaged",
    }
    # the loan on now, and the damaged one, linked while its charge is owed
    loans = {r["title"]: r for r in sections["circulation.loans"]}
    assert set(loans) == {"A title on loan now", "A title returned damaged"}
    assert loans["A title returned damaged"]["state"] == "Returned"
    (hold,) = sections["circulation.holds"]
    assert hold["status"] == "Ready for pickup" and hold["pickup_code"]
    (fee,) = sections["circulation.fees"]
    assert (fee["kind"], fee["amount"], fee["still_owed"]) == ("Damaged item", "3.00", "1.50")
    payments = sorted(sections["circulation.payments"], key=lambda p: p["amount"])
    assert [(p["amount"], p["received_by"]) for p in payments] == [
        ("0.50", "a self-check machine"),
        ("1.00", "Circulation clerk"),
    ]
    (block,) = sections["patrons.card_blocks"]
    assert block["message_from_the_machine"] == canary.KIOSK_MESSAGE
    assert block["card_kept_by_the_machine"] is True and block["lifted_at"] is None
    assert block["self_check_machine"] == "kiosk"
    (note,) = sections["patrons.notes"]
    assert note["note"] == canary.DESK_NOTE
    assert (note["written_by"], note["branch"]) == ("Circulation clerk", "Main")
    (conflict,) = sections["circulation.offline_conflicts"]
    assert conflict["item_barcode"] == canary.KIOSK_UNKNOWN_BARCODE
    assert conflict["what_happened"] == "No item has this barcode"
    assert conflict["resolved_at"] is None
    (override,) = sections["circulation.overrides"]
    assert override["why"] == "Accessibility need" and override["by"] == "Circulation clerk"
    assert sections["rights.correction_requests"][0]["you_asked"] == (
        "My phone number has changed."
    )
    (saved,) = sections["catalog.saved_lists"]
    assert saved["name"] == canary.CANARY_LIST
    (entry,) = sections["catalog.saved_list_entries"]
    assert (entry["list"], entry["title"]) == (canary.CANARY_LIST, "A title saved for later")
    (record,) = sections["patrons.record"]
    assert record["notices_of_events"] == "No notice"
    (registration,) = sections["programs.registrations"]
    assert registration["program"] == "A program one registered for"
    assert (registration["status"], registration["branch"]) == ("Registered", "Main")
    (link,) = sections["patrons.guardian_links"]
    assert link["link"] == "a parent or guardian is linked to your account"
    served = sections["privacy.serving_contexts"][0]
    assert (served["by"], served["branch"]) == ("Circulation clerk", "Main")
    assert {c["purpose"] for c in sections["patrons.consents"]} == {
        "Keep my reading history",
        "Send me the library's newsletters",
    }
    whats = {e["what"] for e in sections["audit.entries"]}
    opened = next(e for e in sections["audit.entries"] if e["what"].startswith("staff opened"))
    assert opened["branch"] == "Main"  # the branch's name, not its code
    assert {"your account was opened", "staff opened your account at the desk"} <= whats
    assert "you signed in" in whats


def test_the_export_names_nobody_else_and_no_secret(client, world):
    _, text = _export(client, world.token)
    others = Patron.objects.exclude(pk=world.patron.pk)
    for other in others:
        assert other.name not in text and other.card_number not in text
        assert other.email not in text if other.email else True
    for card in (AVERY, BEATRICE, JORDAN, SAM):
        assert card not in text
    patron = Patron.objects.get(pk=world.patron.pk)
    secrets = [patron.pin_hash, patron.credential_stamp, "$argon2", "pin_hash"]
    secrets += [t.secret_hash for t in ApiToken.objects.all()]
    secrets += [t.public_id for t in ApiToken.objects.all()]
    # ldk_<id>_<secret>: the secret whole (it may hold "_" itself)
    secrets += [world.token, world.token.split("_", 2)[2]]
    for secret in secrets:
        assert secret not in text, secret[:12]
    username, first, last = canary.CANARY_STAFF
    for staff_detail in (username, first, last, "MAIN-DESK-1"):
        assert staff_detail not in text, staff_detail
    keys = {
        key for section in json.loads(text)["sections"] for row in section["rows"] for key in row
    }
    assert not {k for k in keys if k.startswith(("staff", "actor", "workstation"))}


def test_a_guardian_export_names_the_child_as_the_account_shows_and_nothing_of_theirs(
    client, world, patron_token
):
    export, text = _export(client, patron_token(JORDAN))
    links = {s["kind"]: s["rows"] for s in export["sections"]}["patrons.guardian_links"]
    assert {row.get("child") for row in links} >= {canary.CANARY_NAME}
    # nothing the child borrowed, holds, owes or read, and not the child's card or address
    for never in (
        canary.CANARY_CARD,
        canary.CANARY_EMAIL,
        canary.CANARY_PHONE,
        "A title on loan now",
        "A title read and returned",
        "A title on hold",
    ):
        assert never not in text, never


def test_the_account_page_downloads_the_same_data(client, world, browser):
    web = client
    assert (
        web.post(
            "/account/sign-in/", {"card": canary.CANARY_CARD, "pin": canary.CANARY_PIN}
        ).status_code
        == 302
    )
    response = web.get("/account/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    export = json.loads(response.content)
    assert {s["kind"] for s in export["sections"]} == {kind.name for kind in patron_data.kinds()}
    page = web.get("/account/privacy/").content.decode()
    assert 'href="/account/privacy/export/"' in page


def test_downloading_is_recorded(client, world):
    from libdesk.audit.models import AuditEntry

    _export(client, world.token)
    assert AuditEntry.objects.filter(action="patron.export", patron_id=world.patron.pk).exists()


def test_another_patron_gets_only_their_own(client, world, patron_token):
    _, text = _export(client, patron_token(BEATRICE))
    assert canary.CANARY_NAME not in text and canary.CANARY_CARD not in text
    assert "A title on loan now" not in text
