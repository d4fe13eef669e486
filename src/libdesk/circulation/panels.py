"""Circulation's panels on pages other apps' doors render: the patron's account page and the
desk's serving page show loans, holds, requests and fees. Each read goes through the audited
selectors. Shared by web doors, so it sits beside them rather than in one of them."""

from __future__ import annotations

from libdesk.access.purposes import Access
from libdesk.access.table import Context
from libdesk.circulation import selectors
from libdesk.circulation.forms import CheckoutForm, ExtendForm, StaffHoldForm, SuspendForm
from libdesk.circulation.models import ZERO, HoldStatus
from libdesk.core import clock


def account_panels(access: Access) -> dict:
    """Loans, holds with positions, requests and fees for the patron's own account page."""
    return {
        "loans": list(selectors.current_loans(access)),
        "holds": selectors.current_holds(access),
        "patron_requests": list(selectors.patron_requests(access)),
        "fees": list(selectors.open_fees(access)),
        "suspend_form": SuspendForm(),
    }


def serving_panels(access: Access, context) -> dict:
    """What circulation shows on the serving page; each read is audited by kind. A guardian
    at the desk is shown the child's loans, holds and fees, and nothing to act on."""
    panels = {
        "loans": list(selectors.current_loans(access)),
        "holds": selectors.current_holds(access),
        "fees": list(selectors.open_fees(access)),
    }
    if access.context == Context.SERVING:
        panels["patron_requests"] = list(selectors.patron_requests(access))
        panels["offline_conflicts"] = selectors.open_offline_conflicts(access)
        panels["checkout_form"] = CheckoutForm()
        panels["hold_form"] = StaffHoldForm(
            initial={"pickup_branch": context.workstation.branch}, auto_id="hold_%s"
        )
        panels["extend_form"] = ExtendForm()
        panels["today"] = clock.today()
        panels["summary"] = desk_summary(panels)
    return panels


def desk_summary(panels: dict) -> dict:
    """The counts beside the patron's name at the desk, from what the panels already read:
    loans (and how many are overdue), holds (and how many wait on a shelf), fees owing."""
    today = clock.today()
    return {
        "loans": len(panels["loans"]),
        "overdue": sum(1 for loan in panels["loans"] if loan.due < today),
        "holds": len(panels["holds"]),
        "ready": sum(1 for view in panels["holds"] if view.hold.status == HoldStatus.READY),
        "owing": sum((fee.balance for fee in panels["fees"]), ZERO),
    }
