"""No "who borrowed this", proved with canaries (issue 12, deliverable 1).

Avery, the patron whose loan, hold, request and serving contexts fill the door matrix's world,
gets a name, an e-mail address and (already) a card number that occur nowhere else. Then:

- every web route and every API operation, visited by every persona of the door matrix, is
  searched for them: nobody but Avery learns her name, card or address, and staff serving her
  are the only others who see her beside what she borrowed, on the serving pages and calls;
- the log records of the whole walk, the notices sent to others, and the catalogue export
  hold none of them;
- after the item comes back, every row of every table (the task queue, the sessions, the
  API's stored replies and the audit log among them) is searched: none names Avery together
  with the item, its record or the loan, and no mail is kept anywhere.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models

from tests.conftest import AVERY, PINS, bearer
from tests.privacy.test_door_matrix import (
    API,
    API_AVERYS,
    API_EITHER_SERVING,
    API_STAFF_SERVING,
    PERSONAS,
    SERVING_PAGE,
    WEB,
    _in_a_rolled_back_transaction,
    _visit_api,
    _visit_web,
    api_operations,
    build_world,
    web_routes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NAME = "Zephyrine Quillfeather-Oyelaran"
EMAIL = "zq.canary.7731@example.org"
SERVING = ("clerk serving", "librarian", "head librarian")  # each in a context serving Avery
DESK = (*SERVING, "clerk not serving")
# The one door that names a borrower beside the item, as PRIVACY.md allows: a circulation role
# revealing an item's current borrower with a reason from the list (audited twice, and shown
# in the patron's access log: tests/circulation/test_reveal_reasons.py).
REVEAL = "catalog:reveal-borrower"


@pytest.fixture
def canary(demo_library):
    from libdesk.patrons.models import Patron

    Patron.objects.filter(card_number=AVERY).update(name=NAME, email=EMAIL)
    return Patron.objects.get(card_number=AVERY)


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def names_avery(text: str) -> set[str]:
    return {secret for secret in (NAME, EMAIL, AVERY) if secret in text}


def may_pair(persona: str, web_row=None, api_row=None) -> bool:
    """Staff serving Avery see her with what she has on the serving pages and calls."""
    if persona not in SERVING:
        return False
    if web_row is not None:
        return web_row is SERVING_PAGE
    return api_row in (API_STAFF_SERVING, API_EITHER_SERVING, API_AVERYS)


def test_every_door_keeps_the_canary_to_those_it_belongs_to(canary, client, caplog):
    caplog.set_level(logging.DEBUG)
    world = build_world()
    borrowed = {str(world.values["barcode"]), "On loan to Avery"}
    leaks = []

    def check(door: str, persona: str, text: str, pairing_allowed: bool) -> None:
        found = names_avery(text)
        if not found or persona == "patron" or (door == REVEAL and persona in DESK):
            return
        if persona not in SERVING:
            leaks.append(f"{door} as {persona}: names Avery ({', '.join(sorted(found))})")
        elif not pairing_allowed and any(thing in text for thing in borrowed):
            leaks.append(f"{door} as {persona}: pairs Avery with what she borrowed")

    for name, pattern in sorted(web_routes().items()):
        for persona in PERSONAS:
            response = _in_a_rolled_back_transaction(
                lambda: _visit_web(world, name, pattern, persona),  # noqa: B023
                world.browsers[persona],
            )
            check(name, persona, text_of(response), may_pair(persona, web_row=WEB[name]))
    for operation in sorted(api_operations(client)):
        for persona in PERSONAS:
            response = _in_a_rolled_back_transaction(
                lambda: _visit_api(world, operation, persona)  # noqa: B023
            )
            check(operation, persona, text_of(response), may_pair(persona, api_row=API[operation]))
    assert leaks == [], "\n".join(leaks)
    logged = [record.getMessage() for record in caplog.records]
    assert not [line for line in logged if names_avery(line)]
    for message in mail.outbox:
        if EMAIL not in message.to:
            assert not names_avery(message.subject + message.body)


def test_the_catalogue_export_names_no_patron(canary, tmp_path):
    build_world()
    out = tmp_path / "catalogue.xml"
    call_command("catalog", "export", "--format", "marcxml", "--output", str(out))
    assert "On loan to Avery" in out.read_text()  # the export did run over the loaned record
    assert not names_avery(out.read_text())


# --- After check-in: every table ---------------------------------------------------------


def _references(model: type[models.Model], row: dict, ids: dict[str, set]) -> tuple[bool, bool]:
    """Whether a row refers to Avery, and whether it refers to the item, its record or loan."""
    patron = thing = False
    for field in model._meta.concrete_fields:
        value = row.get(field.attname)
        if value is None:
            continue
        target = field.related_model if field.many_to_one else None
        if target is not None:
            label = target._meta.label
            patron |= label == "patrons.Patron" and value in ids["patron"]
            thing |= (label, value) in ids["things"]
        elif isinstance(value, str | dict | list):
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            patron |= bool(names_avery(text))
            thing |= any(word in text for word in ids["words"])
    kind, object_id = row.get("object_type"), str(row.get("object_id", ""))
    patron |= kind == "patron" and object_id in ids["patron_text"]
    thing |= (kind, object_id) in ids["object_refs"]
    return patron, thing


def _session_references(row: dict, ids: dict[str, set]) -> tuple[bool, bool]:
    from libdesk.core.sessions import SessionStore

    text = json.dumps(SessionStore().decode(row["session_data"]), default=str)
    patron = bool(names_avery(text)) or any(f'"{pk}"' in text for pk in ids["patron_text"])
    return patron, any(word in text for word in ids["words"])


def _tables_without_models(ids: dict[str, set]) -> list[str]:
    """Rows of tables no model describes, read as text."""
    from django.db import connection

    known = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    found = []
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - known):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                if names_avery(text) and any(word in text for word in ids["words"]):
                    found.append(f"table {table}")
    return found


def test_after_check_in_no_row_of_any_table_pairs_the_patron_with_the_item(
    canary, client, staff_token, serving, settings, tmp_path, django_capture_on_commit_callbacks
):
    from libdesk.circulation.models import Loan
    from libdesk.library.models import Library
    from tests.circulation.conftest import Shelf

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued rows
    settings.EMAIL_BACKEND = "libdesk.library.mail.LibraryMailBackend"
    settings.DATA_DIR = tmp_path
    Library.objects.update(is_demo=False)
    shelf = Shelf()
    record = shelf.record("Canary reading")
    item = shelf.copy(record)
    token = staff_token()
    assert client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        lent = client.post(
            "/api/v1/circulation/checkout",
            {"item_barcode": item.barcode},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="canary-checkout",
            **serving(token, AVERY),
        )
        assert lent.status_code == 201, lent.content
        returned = client.post(
            "/api/v1/circulation/checkin",
            {"item_barcode": item.barcode},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="canary-checkin",
            **bearer(token),
        )
        assert returned.status_code == 200, returned.content
    loan = Loan.objects.get(pk=lent.json()["loan_id"])
    assert loan.patron_id is None
    ids = {
        "patron": {canary.pk},
        "patron_text": {str(canary.pk)},
        "things": {
            ("catalog.Item", item.pk),
            ("catalog.Record", record.pk),
            ("circulation.Loan", loan.pk),
        },
        "object_refs": {
            ("item", str(item.pk)),
            ("record", str(record.pk)),
            ("loan", str(loan.pk)),
        },
        "words": {item.barcode, "Canary reading"},
    }
    scanned, pairs = 0, []
    for model in apps.get_models():
        is_session = model._meta.label == "sessions.Session"
        for row in model.objects.values():
            scanned += 1
            if is_session:
                patron, thing = _session_references(row, ids)
            else:
                patron, thing = _references(model, row, ids)
            if patron and thing:
                pairs.append(f"{model._meta.label} row {row.get('id', row)}")
    pairs += _tables_without_models(ids)  # the database cache, if the cache lives there
    assert scanned > 100 and pairs == []
    # The scan covered the background tasks' table (a task's arguments are rows there too);
    # check-in queues none since each node's index follows the outbox itself.
    assert "django_tasks_database.DBTaskResult" in {m._meta.label for m in apps.get_models()}
    assert not Path(tmp_path / "mail").exists()  # and no mail was kept for later
