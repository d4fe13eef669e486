"""`libdesk privacy purge` applies every retention period (issue 12, deliverable 5): rows,
stored replies, log and mail files, and the audit log (pruned from a checkpoint, still verifying
with its anchors); a second run finds nothing left. Killing it: test_retention_kill.py."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from libdesk.core import clock
from tests.conftest import AVERY, PINS, bearer

pytestmark = pytest.mark.django_db


def purge() -> dict[str, int]:
    out = StringIO()
    call_command("privacy", "purge", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_purge_applies_every_period_and_a_second_run_finds_nothing(
    client, shelf, desk, patron, staff_token, serving, tmp_path, settings
):
    from libdesk.api.models import ApiToken, IdempotentReply
    from libdesk.circulation import services
    from libdesk.circulation.models import Hold, PatronRequest

    settings.LOG_DIR = tmp_path / "logs"
    settings.LOG_DIR.mkdir()
    old_log = settings.LOG_DIR / f"libdesk-{(clock.today() - timedelta(days=400)).isoformat()}.log"
    old_log.write_text("an old day\n")
    settings.DATA_DIR = tmp_path
    mail_folder = tmp_path / "mail"  # the demo library's mail files
    mail_folder.mkdir()
    (mail_folder / "old.log").write_text("To: someone\n")
    ancient = clock.now().timestamp() - 30 * 86400
    os.utime(mail_folder / "old.log", (ancient, ancient))

    record = shelf.record("Purged")
    wanted = shelf.record("Wanted then cancelled")
    shelf.copy(wanted, status="on_loan")
    hold, _ = services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=wanted)
    services.cancel_hold(desk(), hold)
    client.post(
        "/api/v1/circulation/checkout",
        {"item_barcode": shelf.copy(record).barcode},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="kept-a-day",
        **serving(staff_token(), AVERY),
    )
    made, _ = services.submit_request(
        desk(), patron(AVERY), kind="purchase", pickup_branch=desk().branch, title="Old wish"
    )
    services.update_request(desk(), made, status="declined")
    token = client.post(
        "/api/v1/auth/patron",
        {"patron_card": AVERY, "pin": PINS[AVERY]},
        content_type="application/json",
    ).json()["token"]
    client.delete("/api/v1/auth/token", **bearer(token))

    with clock.travel_to(clock.now() + timedelta(days=60)):
        done = purge()
        assert done["api.replies"] >= 1 and done["core.log_files"] == 1
        assert done["library.mail_files"] == 1
        assert not IdempotentReply.objects.exists()
        assert not Hold.objects.filter(pk=hold.pk).exists()
        assert PatronRequest.objects.get(pk=made.pk).patron_id is None
        assert not ApiToken.objects.filter(kind=ApiToken.PATRON, revoked_at__isnull=False).exists()
        assert not old_log.exists() and not (mail_folder / "old.log").exists()
        again = purge()
    assert set(again) == set(done) and sum(again.values()) == 0  # nothing left to do


def test_the_audit_log_is_pruned_from_a_checkpoint_and_verifies_with_its_anchors(
    shelf, desk, patron, tmp_path
):
    from libdesk.audit.models import AuditEntry

    copy = shelf.copy(shelf.record("Audited long ago"))
    services_checkout(desk, patron, copy)
    anchor = tmp_path / "anchor.json"
    call_command("audit", "anchor", "--out", str(anchor), stdout=StringIO())
    before = AuditEntry.objects.count()
    later = clock.now() + timedelta(days=settings.LIBDESK["AUDIT_RETENTION_DAYS"] + 5)
    with clock.travel_to(later):
        services_checkout(desk, patron, shelf.copy(shelf.record("Audited today")))
        pruned = purge()
        assert pruned["audit.entries"] == before
        out = StringIO()
        call_command("audit", "verify", "--anchor", str(anchor), stdout=out)
    assert "audit log verifies" in out.getvalue() and "1 anchors" in out.getvalue()


def services_checkout(desk, patron, copy) -> None:
    from libdesk.circulation import services

    services.checkout(desk(), patron(AVERY), copy.barcode)
