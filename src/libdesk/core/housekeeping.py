"""Where stores kept by the doors plug into the domain's promises, so that the domain never
imports a door to keep them (issue 11: layers).

- When a loan loses its patron (check-in, or the last fee on it settled), every store that
  keeps the loan's id beside something of the patron's forgets it, in the same transaction:
  after check-in no row anywhere pairs a patron with an item (PRIVACY.md).
- What such stores keep only for a while, they register with core.retention, whose purge the
  daily jobs and `libdesk privacy purge` run.

The API's idempotency replies register both (api/apps.py); a kiosk server's resend cache, or
any other store of answers, registers the same way. Each hook is a plain function; the order
they run in does not matter.
"""

from __future__ import annotations

from collections.abc import Callable

_forget_loan: list[Callable[[int], object]] = []


def on_loan_unlinked(forget: Callable[[int], object]) -> None:
    """Register `forget(loan_id)`, called in the transaction that unlinks the loan."""
    if forget not in _forget_loan:
        _forget_loan.append(forget)


def loan_unlinked(loan_id: int) -> None:
    for forget in _forget_loan:
        forget(loan_id)


_staff_left: list[Callable[[int], object]] = []


def on_staff_disabled(release: Callable[[int], object]) -> None:
    """Register `release(staff_id)`, called in the transaction that disables a staff account:
    work only that person could carry on (a reference question they claimed) goes back to
    those who can."""
    if release not in _staff_left:
        _staff_left.append(release)


def staff_disabled(staff_id: int) -> None:
    for release in _staff_left:
        release(staff_id)
