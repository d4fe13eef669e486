"""Reads of staff accounts for the administrators' staff page."""

from __future__ import annotations

from dataclasses import dataclass

from libdesk.accounts.models import StaffUser
from libdesk.core import lockout


@dataclass(frozen=True)
class StaffRow:
    person: StaffUser
    locks: list[lockout.LockState]

    @property
    def locked(self) -> bool:
        return any(lock.active for lock in self.locks)


def staff_with_locks() -> list[StaffRow]:
    """Everyone who can sign in, with any sign-in lock an administrator may lift."""
    people = list(StaffUser.objects.order_by("username"))
    locks = lockout.locks_by_subject([lockout.known("staff", p.pk) for p in people])
    return [StaffRow(p, locks.get(lockout.known("staff", p.pk), [])) for p in people]


def staff_member(user_id: int) -> StaffUser | None:
    return StaffUser.objects.filter(pk=user_id).first()


def staff_by_username(username: str) -> StaffUser | None:
    return StaffUser.objects.filter(username=username).first()
