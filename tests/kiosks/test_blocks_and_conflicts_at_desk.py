"""What self-check machines leave for staff, shown on the serving page only (PRIVACY.md: no
list pairs patrons with items outside a serving context): a kiosk's block on the card, lifted
by staff once they checked who is at the desk; and offline loans a kiosk replayed that did not
fit, marked resolved by staff."""

from datetime import timedelta
from html import unescape

import pytest

from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditEntry
from libdesk.circulation import services
from libdesk.circulation.desk import CirculationError
from libdesk.circulation.models import ConflictKind, OfflineConflict
from libdesk.circulation.services.offline import checkout_offline
from libdesk.core import clock
from libdesk.patrons.models import CardBlock, Patron
from libdesk.patrons.services import block_card
from tests.conftest import AVERY, BEATRICE

pytestmark = pytest.mark.django_db


def _block(card: str = AVERY, message: str = "Card kept: please see staff") -> CardBlock:
    patron = Patron.objects.get(card_number=card)
    return block_card(
        Actor.system("kiosk"), patron.pk, terminal="kiosk", message=message, retained=True
    )


def _page(response) -> str:
    return unescape(response.content.decode())


def test_the_serving_page_shows_a_kiosks_block(serve):
    _block()
    browser, serving = serve()
    page = _page(browser.get(serving))
    assert "Blocked by a self-check machine" in page
    assert "Terminal kiosk," in page and "<q>Card kept: please see staff</q>" in page
    assert "card retained by the machine" in page
    assert "Lift the block" in page and 'name="identity_checked"' in page


def test_a_blocked_card_is_refused_at_checkout_until_the_block_is_lifted(serve, shelf):
    _block()
    item = shelf.copy(shelf.record("Wanted while blocked"))
    browser, serving = serve()
    refused = browser.post(serving + "checkout/", {"barcode": item.barcode})
    assert refused.status_code == 409
    assert "A self-check machine blocked this card" in _page(refused)
    assert browser.post(serving + "unblock/", {"identity_checked": "on"}).status_code == 302
    lent = browser.post(serving + "checkout/", {"barcode": item.barcode})
    assert lent.status_code == 200 and "Due" in _page(lent)


def test_lifting_a_block_needs_the_identity_check_ticked(serve):
    block = _block()
    browser, serving = serve()
    response = browser.post(serving + "unblock/", {})
    assert response.status_code == 302
    page = _page(browser.get(serving))
    assert "Check the patron's identity, then tick the box to lift the block." in page
    block.refresh_from_db()
    assert block.active
    assert not AuditEntry.objects.filter(action="patron.card.unblock").exists()


def test_staff_lift_the_block_and_it_is_audited(serve, demo_library):
    from libdesk.accounts.models import StaffUser

    block = _block()
    older = _block(message="")
    browser, serving = serve()
    response = browser.post(serving + "unblock/", {"identity_checked": "on"})
    assert response.status_code == 302 and response["Location"] == serving
    page = _page(browser.get(serving))
    assert "Block lifted: the card can be used to borrow again." in page
    assert "Blocked by a self-check machine" not in page
    clerk = StaffUser.objects.get(username="clerk")
    for lifted in (block, older):
        lifted.refresh_from_db()
        assert lifted.lifted_at is not None and lifted.lifted_by == f"staff {clerk.pk}"
    entry = AuditEntry.objects.get(action="patron.card.unblock")
    assert (entry.actor_id, entry.actor_role, entry.workstation) == (
        str(clerk.pk),
        "clerk",
        "MAIN-DESK-1",
    )
    assert entry.patron_id == block.patron_id and entry.reason == ""


def test_only_the_served_patrons_blocks_are_shown(serve):
    _block(BEATRICE, message="Beatrice's kiosk message")
    browser, serving = serve(AVERY)
    page = _page(browser.get(serving))
    assert "Blocked by a self-check machine" not in page
    assert "Beatrice's kiosk message" not in page


def test_reading_the_blocks_is_audited_as_the_patrons_record(serve):
    _block()
    browser, serving = serve()
    browser.get(serving)
    kinds = set(AuditEntry.objects.filter(action="patron.read").values_list("data_kind", flat=True))
    assert "profile" in kinds


def _conflict_for_avery(kiosk_desk, clerk_desk, shelf) -> tuple:
    """Avery's kiosk lent, offline, a copy the library still had on loan to Béatrice."""
    item = shelf.copy(shelf.record("Lent twice over"))
    beatrice = Patron.objects.get(card_number=BEATRICE)
    services.checkout(clerk_desk, beatrice, item.barcode)
    avery = Patron.objects.get(card_number=AVERY)
    at = clock.now() + timedelta(minutes=5)
    with clock.travel_to(at + timedelta(hours=2)):
        checkout_offline(kiosk_desk, avery, item.barcode, at=at, due=None)
    return item, OfflineConflict.objects.get(patron=avery)


def test_the_serving_page_lists_the_patrons_offline_conflicts(serve, kiosk_desk, clerk_desk, shelf):
    item, conflict = _conflict_for_avery(kiosk_desk, clerk_desk, shelf)
    avery = Patron.objects.get(card_number=AVERY)
    with pytest.raises(CirculationError):
        checkout_offline(kiosk_desk, avery, "39999999999999", at=clock.now(), due=None)
    browser, serving = serve()
    page = _page(browser.get(serving))
    assert "Offline loans from self-check machines to look at" in page
    assert "2 offline loans to look at" in page
    assert "Lent twice over" in page and item.barcode in page and "39999999999999" in page
    assert str(ConflictKind.WAS_ON_LOAN.label) in page
    assert str(ConflictKind.UNKNOWN_ITEM.label) in page
    assert "<td>kiosk</td>" in page
    assert f'name="conflict_id" value="{conflict.pk}"' in page
    # Béatrice, who had the copy, is not told of Avery's conflict
    other, other_serving = serve(BEATRICE, username="librarian")
    other_page = _page(other.get(other_serving))
    assert "Offline loans from self-check machines" not in other_page
    assert "Lent twice over" not in other_page


def test_staff_mark_a_conflict_resolved(serve, kiosk_desk, clerk_desk, shelf):
    _item, conflict = _conflict_for_avery(kiosk_desk, clerk_desk, shelf)
    browser, serving = serve()
    url = serving + "loans/resolve-conflict/"
    response = browser.post(url, {"conflict_id": conflict.pk})
    assert response.status_code == 302 and response["Location"] == serving
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None
    assert "Offline loans from self-check machines" not in _page(browser.get(serving))
    entry = AuditEntry.objects.get(action="circulation.offline_conflict.resolve")
    assert (entry.object_type, entry.object_id) == ("offline_conflict", str(conflict.pk))
    assert entry.patron_id is None  # circulation entries never name the patron
    # a second click changes nothing
    resolved_at = conflict.resolved_at
    assert browser.post(url, {"conflict_id": conflict.pk}).status_code == 302
    conflict.refresh_from_db()
    assert conflict.resolved_at == resolved_at
    assert AuditEntry.objects.filter(action="circulation.offline_conflict.resolve").count() == 1


def test_another_patrons_conflict_is_not_found(serve, kiosk_desk, clerk_desk, shelf):
    _item, conflict = _conflict_for_avery(kiosk_desk, clerk_desk, shelf)
    browser, serving = serve(BEATRICE)
    for bad in (conflict.pk, "nonsense", ""):
        response = browser.post(serving + "loans/resolve-conflict/", {"conflict_id": bad})
        assert response.status_code == 404
    conflict.refresh_from_db()
    assert conflict.resolved_at is None
