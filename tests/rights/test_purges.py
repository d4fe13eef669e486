"""Each registered kind's purge bounds how long its rows are kept (the setting it names), and
leaves what is still within it; `libdesk privacy purge` runs them through the registry."""

from datetime import timedelta
from decimal import Decimal

import pytest

from libdesk.api.models import ApiToken
from libdesk.circulation import services
from libdesk.circulation.models import Fee, Loan, NoticeSent
from libdesk.core import clock, patron_data
from libdesk.core.models import SignInLock
from libdesk.privacy.models import ServingContext
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db


def _purge(name: str) -> int:
    return patron_data.purges()[name]()


def _days(settings, name: str) -> int:
    return settings.LIBDESK[name]


def test_settled_fees_lose_their_patron_after_the_retention_period(settings, desk, patron, shelf):
    avery = patron(AVERY)
    item = shelf.copy(shelf.record("Came back damaged"))
    services.checkout(desk(), avery, item.barcode)
    fee = services.return_damaged(desk(), item.barcode, Decimal("2.00"), "wet").fee
    services.pay(desk(), fee, Decimal("2.00"))
    days = _days(settings, "CLOSED_FEE_RETENTION_DAYS")
    with clock.travel_to(clock.now() + timedelta(days=days - 1)):
        assert _purge("circulation.fees") == 0
    assert Fee.objects.get(pk=fee.pk).patron_id == avery.pk
    with clock.travel_to(clock.now() + timedelta(days=days + 1)):
        assert _purge("circulation.fees") == 1
    settled = Fee.objects.get(pk=fee.pk)
    assert settled.patron_id is None and settled.payments.count() == 1


def test_an_open_fee_is_never_unlinked(settings, desk, patron, shelf):
    item = shelf.copy(shelf.record("Still owed"))
    services.checkout(desk(), patron(AVERY), item.barcode)
    services.return_damaged(desk(), item.barcode, Decimal("2.00"), "wet")
    with clock.travel_to(clock.now() + timedelta(days=3650)):
        assert _purge("circulation.fees") == 0
    assert Fee.objects.get().patron_id == patron(AVERY).pk


def test_a_loan_left_linked_after_it_was_settled_is_unlinked(desk, patron, shelf):
    item = shelf.copy(shelf.record("Left linked"))
    loan = services.checkout(desk(), patron(AVERY), item.barcode).loan
    services.checkin(desk(), item.barcode)
    Loan.objects.filter(pk=loan.pk).update(patron=patron(AVERY))  # as an old bug would leave it
    assert _purge("circulation.loans") == 1
    assert Loan.objects.get(pk=loan.pk).patron_id is None
    assert _purge("circulation.loans") == 0  # run again: nothing left to do


def test_ended_patron_tokens_are_deleted_after_the_retention_period(settings, patron_token):
    patron_token(AVERY)
    token = ApiToken.objects.get(kind=ApiToken.PATRON)
    days = _days(settings, "ENDED_TOKEN_RETENTION_DAYS")
    with clock.travel_to(token.expires_at + timedelta(days=days - 1)):
        assert _purge("api.tokens") == 0
    with clock.travel_to(token.expires_at + timedelta(days=days + 1)):
        assert _purge("api.tokens") == 1
    assert not ApiToken.objects.filter(kind=ApiToken.PATRON).exists()


def test_old_serving_contexts_are_deleted(settings, staff_client):
    clerk = staff_client("clerk")
    clerk.post("/staff/desk/card/", {"card": AVERY})
    context = ServingContext.objects.get()
    days = _days(settings, "SERVING_CONTEXT_RETENTION_DAYS")
    with clock.travel_to(context.last_used_at + timedelta(days=days - 1)):
        assert _purge("privacy.serving_contexts") == 0
    with clock.travel_to(context.last_used_at + timedelta(days=days + 1)):
        assert _purge("privacy.serving_contexts") == 1


def test_the_notice_log_keeps_rows_about_loans_that_still_name_a_patron(
    settings, desk, patron, shelf
):
    from libdesk.circulation import notices

    on_loan, back = shelf.copy(shelf.record("Out")), shelf.copy(shelf.record("Back"))
    still = services.checkout(desk(), patron(AVERY), on_loan.barcode).loan
    returned = services.checkout(desk(), patron(AVERY), back.barcode).loan
    notices.deliver("due_soon", still.pk)
    notices.deliver("due_soon", returned.pk)
    services.checkin(desk(), back.barcode)
    days = _days(settings, "NOTICE_LOG_RETENTION_DAYS")
    with clock.travel_to(clock.now() + timedelta(days=days + 1)):
        assert _purge("circulation.notices_sent") == 1
    assert list(NoticeSent.objects.values_list("object_id", flat=True)) == [still.pk]


def test_ended_sign_in_pauses_are_deleted(client, demo_library):
    for _ in range(2):
        client.post(
            "/api/v1/auth/patron",
            {"patron_card": AVERY, "pin": "9999"},
            content_type="application/json",
        )
    lock = SignInLock.objects.get(subject__startswith="patron:")
    with clock.travel_to(lock.expires_at - timedelta(minutes=1)):
        assert _purge("patrons.sign_in_pauses") == 0
    with clock.travel_to(lock.expires_at + timedelta(minutes=1)):
        assert _purge("patrons.sign_in_pauses") == 1


def _kiosk_block(patron_id: int):
    from libdesk.audit.actors import Actor
    from libdesk.patrons.services import block_card

    return block_card(
        Actor.system("kiosk"), patron_id, terminal="kiosk", message="Kept", retained=True
    )


def test_lifted_card_blocks_are_deleted_after_the_retention_period(settings, patron):
    from libdesk.audit.actors import Actor
    from libdesk.patrons.models import CardBlock
    from libdesk.patrons.services import enable_card_at_kiosk

    avery = patron(AVERY)
    lifted = _kiosk_block(avery.pk)
    enable_card_at_kiosk(Actor.system("kiosk"), avery.pk, terminal="kiosk")  # SIP2 25
    standing = _kiosk_block(avery.pk)
    days = _days(settings, "CARD_BLOCK_RETENTION_DAYS")
    with clock.travel_to(clock.now() + timedelta(days=days - 1)):
        assert _purge("patrons.card_blocks") == 0
    with clock.travel_to(clock.now() + timedelta(days=days + 1)):
        assert _purge("patrons.card_blocks") == 1
    assert not CardBlock.objects.filter(pk=lifted.pk).exists()
    with clock.travel_to(clock.now() + timedelta(days=3650)):
        assert _purge("patrons.card_blocks") == 0  # a block in force stays until lifted
    assert CardBlock.objects.filter(pk=standing.pk, lifted_at__isnull=True).exists()


def test_resolved_offline_conflicts_are_deleted_after_the_retention_period(settings, patron):
    from libdesk.circulation.models import ConflictKind, OfflineConflict

    avery = patron(AVERY)
    now = clock.now()
    common = {"patron": avery, "terminal": "kiosk", "happened_at": now, "recorded_at": now}
    resolved = OfflineConflict.objects.create(
        barcode="1", kind=ConflictKind.UNKNOWN_ITEM, resolved_at=now, **common
    )
    still_open = OfflineConflict.objects.create(barcode="2", kind=ConflictKind.HELD, **common)
    days = _days(settings, "OFFLINE_CONFLICT_RETENTION_DAYS")
    with clock.travel_to(now + timedelta(days=days - 1)):
        assert _purge("circulation.offline_conflicts") == 0
    with clock.travel_to(now + timedelta(days=days + 1)):
        assert _purge("circulation.offline_conflicts") == 1
    assert not OfflineConflict.objects.filter(pk=resolved.pk).exists()
    with clock.travel_to(now + timedelta(days=3650)):
        assert _purge("circulation.offline_conflicts") == 0  # open: staff have not looked yet
    assert OfflineConflict.objects.filter(pk=still_open.pk).exists()


def _served(username: str, card: str):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.privacy.services import open_serving_context, serving_access

    staff = StaffUser.objects.get(username=username)
    station = Workstation.objects.get(name="MAIN-DESK-1")
    return serving_access(open_serving_context(staff, station, basis="card_presented", card=card))


def test_desk_notes_nobody_cleared_are_deleted_after_the_retention_period(settings, patron):
    from libdesk.patrons.models import PatronNote
    from libdesk.patrons.notes import add_note

    patron(AVERY)
    old = add_note(_served("clerk", AVERY), "Asked about the large-print atlas")
    days = _days(settings, "PATRON_NOTE_RETENTION_DAYS")
    with clock.travel_to(clock.now() + timedelta(days=days - 1)):
        newer = add_note(_served("clerk", AVERY), "Prefers a phone call")
        assert _purge("patrons.notes") == 0
    with clock.travel_to(clock.now() + timedelta(days=days + 1)):
        assert _purge("patrons.notes") == 1
    assert not PatronNote.objects.filter(pk=old.pk).exists()
    assert PatronNote.objects.filter(pk=newer.pk).exists()
