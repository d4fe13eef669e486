from datetime import timedelta

from libdesk.circulation import services
from libdesk.core import clock
from tests.conftest import AVERY, BEATRICE


def test_checkout_checkin_hold_flow(shelf, desk, patron):
    record = shelf.record("Smoke test")
    item = shelf.copy(record)
    main = desk()
    result = services.checkout(main, patron(AVERY), item.barcode)
    assert result.decision.code == "checkout_granted"
    hold, decision = services.place_hold(
        main, patron(BEATRICE), pickup_branch=main.branch, record=record
    )
    assert decision.params["position"] == 1
    back = services.checkin(main, item.barcode)
    assert back.hold.pk == hold.pk
    assert back.item.status == "on_hold_shelf"
    result = services.checkout(main, patron(BEATRICE), item.barcode)
    assert result.loan.due >= clock.today() + timedelta(days=21)
