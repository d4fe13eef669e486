from datetime import timedelta

from libdesk.circulation import holds, loans
from libdesk.core import clock
from tests.conftest import AVERY, BEATRICE


def test_checkout_checkin_hold_flow(shelf, desk, patron):
    record = shelf.record("Smoke test")
    item = shelf.copy(record)
    main = desk()
    result = loans.checkout(main, patron(AVERY), item.barcode)
    assert result.decision.code == "checkout_granted"
    hold, decision = holds.place_hold(
        main, patron(BEATRICE), pickup_branch=main.branch, record=record
    )
    assert decision.params["position"] == 1
    back = loans.checkin(main, item.barcode)
    assert back.hold.pk == hold.pk
    assert back.item.status == "on_hold_shelf"
    result = loans.checkout(main, patron(BEATRICE), item.barcode)
    assert result.loan.due >= clock.today() + timedelta(days=21)
