"""The hold queue's promises, notices, and the confidentiality of who borrowed what."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from libdesk.api.models import IdempotentReply
from libdesk.audit.models import AuditEntry
from libdesk.circulation import services
from libdesk.circulation.models import Hold, Loan, NoticeSent, PatronRequest
from libdesk.core import clock
from libdesk.core.decisions import Refused
from tests.conftest import AVERY, BEATRICE, JORDAN, SAM, bearer

pytestmark = pytest.mark.django_db
START = date(2027, 3, 1)  # a Monday


def test_a_walk_in_gets_a_shelf_copy_only_if_the_queue_is_still_met(shelf, desk, patron):
    record = shelf.record("Popular")
    a, b = shelf.copy(record), shelf.copy(record)
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record)
    assert services.checkout(desk(), patron(AVERY), a.barcode).created  # b still meets the hold
    with pytest.raises(Refused) as refused:
        services.checkout(desk(), patron(JORDAN), b.barcode)
    assert refused.value.decision.code == "item_wanted_by_holds"
    kinds = [alt.kind for alt in refused.value.decision.alternatives]
    assert "hold" in kinds
    assert services.checkout(desk(), patron(BEATRICE), b.barcode).created  # her own hold
    assert Hold.objects.get().status == "fulfilled"


def test_an_uncollected_hold_expires_and_the_copy_goes_to_the_next(shelf, desk, patron):
    record = shelf.record("Shelf expiry")
    copy = shelf.copy(record, status="on_loan")
    with clock.travel_to(START):
        first, _ = services.place_hold(
            desk(), patron(AVERY), pickup_branch=desk().branch, record=record
        )
        clock.advance(timedelta(minutes=5))
        second, _ = services.place_hold(
            desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record
        )
        services.checkin(desk(), copy.barcode)
        first.refresh_from_db()
        assert first.status == "ready" and first.shelf_expires >= START + timedelta(days=7)
    with clock.travel_to(first.shelf_expires + timedelta(days=1)):
        done = services.expire_and_resume()
    first.refresh_from_db()
    second.refresh_from_db()
    assert done["expired"] == 1
    assert first.status == "expired" and second.status == "ready"
    assert second.captured_item_id == copy.pk


def test_suspending_keeps_the_place_and_the_queue_skips_it(shelf, desk, patron):
    record = shelf.record("Suspended")
    copy = shelf.copy(record, status="on_loan")
    with clock.travel_to(START):
        first, _ = services.place_hold(
            desk(), patron(AVERY), pickup_branch=desk().branch, record=record
        )
        clock.advance(timedelta(minutes=1))
        second, _ = services.place_hold(
            desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record
        )
        services.suspend_hold(desk(), first, START + timedelta(days=3))
        assert services.queue_place(second).position == 2  # the suspended hold keeps its place
        services.checkin(desk(), copy.barcode)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == "ready" and first.status == "suspended"
    with clock.travel_to(START + timedelta(days=3)):
        services.expire_and_resume()
    first.refresh_from_db()
    assert first.status == "waiting" and services.queue_place(first).position == 1


def test_position_and_estimated_wait_come_from_copies_and_due_dates(shelf, desk, patron):
    record = shelf.record("Estimate")
    copy = shelf.copy(record)
    with clock.travel_to(START):
        loan = services.checkout(desk(), patron(JORDAN), copy.barcode).loan
        first, _ = services.place_hold(
            desk(), patron(AVERY), pickup_branch=desk().branch, record=record
        )
        clock.advance(timedelta(minutes=1))
        second, _ = services.place_hold(
            desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record
        )
        one, two = services.queue_place(first), services.queue_place(second)
    assert (one.position, two.position) == (1, 2)
    assert one.estimated_wait_days == (loan.due - START).days
    assert two.estimated_wait_days == one.estimated_wait_days + 21


def test_hold_ready_notice_in_the_patrons_language_sent_once(shelf, desk, patron, sent):
    record = shelf.record("Notice title")
    copy = shelf.copy(record, status="on_loan")
    services.place_hold(desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record)
    with sent():
        services.checkin(desk(), copy.barcode)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["beatrice@example.org"]
    assert "réservation" in message.subject.lower()
    hold = Hold.objects.get()
    assert "Notice title" in message.body and hold.pickup_code in message.body
    from libdesk.circulation.tasks import send_notice

    send_notice.call("hold_ready", hold.pk, "")  # a re-run sends nothing twice
    assert len(mail.outbox) == 1


def test_titles_can_be_left_out_of_notices(shelf, desk, patron, sent):
    from libdesk.circulation.models import DeskTerms

    DeskTerms.objects.update(notices_name_titles=False)
    record = shelf.record("Secret title")
    copy = shelf.copy(record, status="on_loan")
    services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    with sent():
        services.checkin(desk(), copy.barcode)
    assert "Secret title" not in mail.outbox[0].body


def test_daily_jobs_send_due_soon_and_overdue_and_list_phone_patrons(shelf, desk, patron, sent):
    record = shelf.record("Due soon")
    mine, sams = shelf.copy(record), shelf.copy(record)
    with clock.travel_to(START):
        loan = services.checkout(desk(), patron(AVERY), mine.barcode).loan
        services.checkout(desk(), patron(SAM), sams.barcode)
    with clock.travel_to(loan.due - timedelta(days=3)), sent():
        call_command("circulation", "run-jobs", "--json")
    with clock.travel_to(loan.due - timedelta(days=3)), sent():
        call_command("circulation", "run-jobs")
    assert [m.subject for m in mail.outbox] == ["Due soon: an item on your library card"]
    with clock.travel_to(loan.due + timedelta(days=2)), sent():
        call_command("circulation", "run-jobs")
        from libdesk.accounts.models import StaffUser, Workstation
        from libdesk.circulation.selectors import call_list

        entries = call_list(
            StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
        )
    assert mail.outbox[-1].subject.startswith("Overdue")
    assert [(e.patron.card_number, e.overdue) for e in entries] == [(SAM, 1)]
    assert NoticeSent.objects.filter(kind="overdue").count() == 2  # Avery's e-mail, Sam's list


def test_request_status_changes_reach_the_patron(shelf, desk, patron, sent):
    made, _ = services.submit_request(
        desk(), patron(AVERY), kind="ill", pickup_branch=desk().branch, title="Rare book"
    )
    with sent():
        services.update_request(desk(), made, "in_progress", "Asked Thunder Bay PL")
    with clock.travel_to(clock.now() + timedelta(days=4)), sent():
        services.update_request(desk(), made, "fulfilled")
    assert [m.subject for m in mail.outbox] == ["Your request has been updated"] * 2
    from libdesk.circulation.reports import waits

    ill = next(
        w for w in waits(clock.today(), clock.today() + timedelta(days=5)) if w.kind == "ill"
    )
    assert ill.count == 1 and ill.median_days == pytest.approx(4, abs=0.1)


def test_check_in_unlinks_the_patron_and_nothing_else_pairs_them(
    client, shelf, staff_token, patron, serving
):
    item = shelf.copy(shelf.record("Private reading"))
    token = staff_token()
    checkout = client.post(
        "/api/v1/circulation/checkout",
        {"item_barcode": item.barcode},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **serving(token, AVERY),
    ).json()
    loan_id = checkout["loan_id"]
    assert IdempotentReply.objects.filter(loan_id=loan_id).exists()
    client.post(
        "/api/v1/circulation/checkin",
        {"item_barcode": item.barcode},
        content_type="application/json",
        **bearer(token),
    )
    loan = Loan.objects.get(pk=loan_id)
    assert loan.patron_id is None and loan.state == "returned"
    assert not IdempotentReply.objects.filter(loan_id=loan_id).exists()
    circulation_entries = AuditEntry.objects.filter(action__startswith="circulation.")
    assert circulation_entries.count() >= 2
    assert not circulation_entries.exclude(patron_id=None).exists()
    for entry in circulation_entries:
        assert entry.actor_kind == "staff"  # the acting clerk, never the patron
    avery = patron(AVERY)
    card_pairs = AuditEntry.objects.filter(patron_id=avery.pk, object_type__in=["loan", "item"])
    assert not card_pairs.exists()


def test_self_service_entries_name_no_patron(client, shelf, staff_token, patron_token, serving):
    item = shelf.copy(shelf.record("Self renewal"))
    with clock.travel_to(clock.now() - timedelta(days=7)):  # a renewal today adds time
        client.post(
            "/api/v1/circulation/checkout",
            {"item_barcode": item.barcode},
            content_type="application/json",
            **serving(staff_token(), AVERY),
        )
    client.post(
        "/api/v1/circulation/renew",
        {"item_barcode": item.barcode},
        content_type="application/json",
        **bearer(patron_token(AVERY)),
    )
    entry = AuditEntry.objects.get(action="circulation.renew")
    assert (entry.actor_kind, entry.actor_id, entry.patron_id) == ("patron", "", None)


def test_ended_holds_forget_the_copy_at_once_and_are_deleted_within_a_day(shelf, desk, patron):
    record = shelf.record("Unlink hold")
    copy = shelf.copy(record, status="on_loan")
    hold, _ = services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, item=copy)
    services.cancel_hold(desk(), hold)
    hold.refresh_from_db()
    assert hold.patron_id is not None  # the patron can still see it today
    assert hold.item_id is None and hold.captured_item_id is None and hold.pickup_code == ""
    with clock.travel_to(clock.now() + timedelta(days=1, minutes=1)):
        call_command("circulation", "run-jobs")
    assert not Hold.objects.filter(pk=hold.pk).exists()


def test_a_hold_that_becomes_a_loan_names_neither_patron_nor_copy(shelf, desk, patron):
    """PRIVACY.md: the loan carries the pair until check-in; the filled hold keeps nothing of it,
    and after check-in no row pairs the patron with the copy."""
    record = shelf.record("Filled hold")
    copy = shelf.copy(record)
    services.checkout(desk(), patron(BEATRICE), copy.barcode)
    hold, _ = services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    services.checkin(desk(), copy.barcode)  # set aside for Avery
    services.checkout(desk(), patron(AVERY), copy.barcode)
    hold.refresh_from_db()
    assert hold.status == "fulfilled"
    assert (hold.patron_id, hold.item_id, hold.captured_item_id, hold.pickup_code) == (
        None,
        None,
        None,
        "",
    )
    services.checkin(desk(), copy.barcode)
    assert not Hold.objects.filter(patron=patron(AVERY)).exists()
    assert not Loan.objects.filter(item=copy, patron__isnull=False).exists()


def test_requests_are_handled_in_arrival_order(shelf, desk, patron):
    from libdesk.circulation.selectors import request_queue

    for card, title in ((BEATRICE, "First"), (AVERY, "Second"), (JORDAN, "Third")):
        services.submit_request(
            desk(), patron(card), kind="purchase", pickup_branch=desk().branch, title=title
        )
    assert [r.title for r in request_queue()] == ["First", "Second", "Third"]
    assert PatronRequest.objects.count() == 3


def test_closed_requests_lose_their_patron_after_the_retention_period(desk, patron, settings):
    made, _ = services.submit_request(
        desk(),
        patron(AVERY),
        kind="ill",
        pickup_branch=desk().branch,
        title="Kept a while",
        note="for my thesis",
    )
    services.update_request(desk(), made, "declined", "Not lendable")
    days = settings.LIBDESK["CLOSED_REQUEST_RETENTION_DAYS"]
    with clock.travel_to(clock.now() + timedelta(days=days - 1)):
        call_command("circulation", "run-jobs")
    made.refresh_from_db()
    assert made.patron_id is not None
    with clock.travel_to(clock.now() + timedelta(days=days + 1)):
        call_command("circulation", "run-jobs")
    made.refresh_from_db()
    assert made.patron_id is None and made.note == "" and made.status == "declined"


def test_a_hold_about_to_expire_gets_a_reminder(shelf, desk, patron, sent):
    record = shelf.record("Last call")
    copy = shelf.copy(record, status="on_loan")
    services.place_hold(desk(), patron(AVERY), pickup_branch=desk().branch, record=record)
    with sent():
        services.checkin(desk(), copy.barcode)
    hold = Hold.objects.get()
    with clock.travel_to(hold.shelf_expires - timedelta(days=1)), sent():
        call_command("circulation", "run-jobs")
    with clock.travel_to(hold.shelf_expires - timedelta(days=1)), sent():
        call_command("circulation", "run-jobs")  # a second run sends nothing again
    subjects = [m.subject for m in mail.outbox]
    assert subjects == ["Your hold is ready", "Your hold is waiting: last day soon"]


def test_pickup_codes_are_random_and_come_from_nothing_of_the_patron(
    demo_library, shelf, desk, patron
):
    """PRIVACY.md: slips, the hold-shelf list and check-in answers show a random code, not
    derived from the patron's name or card; two holds of one patron get different codes."""
    import re

    from libdesk.circulation import services

    codes = []
    for n in range(3):
        record = shelf.record(f"Wanted {n}")
        item = shelf.copy(record, status="on_loan")
        hold, _ = services.place_hold(
            desk(), patron(BEATRICE), pickup_branch=desk().branch, record=record
        )
        item.status = "available"
        item.save()
        services.checkin(desk(), item.barcode)
        hold.refresh_from_db()
        codes.append(hold.pickup_code)
    assert all(re.fullmatch(r"[A-Z]{3}-[0-9]{3}", code) for code in codes), codes
    assert len(set(codes)) == 3
    for code in codes:
        assert "OUE" not in code and "0002" not in code and "002" not in code.split("-")[1][:3]


def test_no_stored_reply_lets_a_copy_of_the_database_pair_a_patron_with_an_item(
    client, shelf, staff_token, patron_token, serving
):
    """A refused renewal never becomes a loan, so its stored reply is not dropped at check-in:
    it must say nothing itself. The row names no token, holds no readable answer, and hashing
    every card and barcode the database knows matches neither of its hashes."""
    import hashlib
    import json

    from django.db import connection

    record = shelf.record("Asked about")
    item = shelf.copy(record)
    client.post(
        "/api/v1/circulation/checkout",
        {"item_barcode": item.barcode},
        content_type="application/json",
        **serving(staff_token(), AVERY),
    )
    token = patron_token(AVERY)
    asked = {"item_barcode": item.barcode}
    headers = {"HTTP_IDEMPOTENCY_KEY": "renew-once", **bearer(token)}
    post = "/api/v1/circulation/renew"
    first = client.post(post, asked, content_type="application/json", **headers)
    again = client.post(post, asked, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 409  # the same day adds nothing
    assert first.json() == again.json()
    assert first.json()["decision"]["code"] == "renewal_would_not_extend"
    other = {"item_barcode": "39000000000001"}
    assert client.post(post, other, content_type="application/json", **headers).status_code == 422
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_idempotentreply")
        rows = cursor.fetchall()
        columns = [c[0] for c in cursor.description]
    assert rows and not {"token_id", "key", "body"} & set(columns)
    dump = repr(rows)
    for secret in (item.barcode, "renew-once", token, AVERY, "Asked about"):
        assert secret not in dump
    candidates = set()
    for barcode in [item.barcode, "39000000000001"]:
        for body in ({"item_barcode": barcode}, {"item_barcode": barcode, "override": None}):
            canonical = json.dumps(["POST", post, body], sort_keys=True, default=str)
            candidates.add(hashlib.sha256(canonical.encode()).hexdigest())
    assert not candidates & {str(value) for row in rows for value in row}
