"""Staff accounts: sign-in with lockout, and the administrator's changes to staff."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction

from libdesk.accounts.models import Role, StaffUser, Workstation
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import lockout
from libdesk.privacy.access import Context, require


class StaffSignInFailed(Exception):
    pass


def authenticate_staff(username: str, password: str, workstation: Workstation | None):
    """Check a staff sign-in; raises StaffSignInFailed, or Refused (429) while locked."""
    user = StaffUser.objects.filter(username=username).first()
    subject = f"staff:{user.pk}" if user else None
    if subject:
        lockout.check_not_locked(subject, lockout.ONLINE)
    signed_in = authenticate(username=username, password=password) if password else None
    if signed_in is None or workstation is None or not workstation.active:
        if subject and signed_in is None:
            lockout.record_failure(subject, lockout.ONLINE)
        raise StaffSignInFailed
    lockout.record_success(subject, lockout.ONLINE)
    with transaction.atomic():
        audit.record(
            Actor.staff(signed_in, workstation),
            "staff.sign_in",
            object_type="staff",
            object_id=signed_in.pk,
        )
    return signed_in


def add_staff(
    admin, workstation, *, username: str, first_name: str, last_name: str, role: str, password: str
) -> StaffUser:
    require(admin.role, "staff_accounts", "create", Context.NONE)
    with transaction.atomic():
        user = StaffUser.objects.create_user(
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            role=Role(role),
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        audit.record(
            Actor.staff(admin, workstation),
            "staff.add",
            object_type="staff",
            object_id=user.pk,
            reason=role,
        )
    return user


def change_role(admin, workstation, user: StaffUser, role: str) -> StaffUser:
    require(admin.role, "staff_accounts", "change", Context.NONE)
    with transaction.atomic():
        user.role = Role(role)
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        audit.record(
            Actor.staff(admin, workstation),
            "staff.role",
            object_type="staff",
            object_id=user.pk,
            reason=role,
        )
    return user


def set_active(admin, workstation, user: StaffUser, active: bool) -> StaffUser:
    """Disabling ends the person's sessions (Django refuses inactive users on each request)
    and revokes their API tokens at once."""
    require(admin.role, "staff_accounts", "change", Context.NONE)
    if user.pk == admin.pk and not active:
        raise ValueError("administrators cannot disable their own account")
    from libdesk.api.tokens import revoke_all_for_staff

    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            revoke_all_for_staff(user)
        audit.record(
            Actor.staff(admin, workstation),
            "staff.enable" if active else "staff.disable",
            object_type="staff",
            object_id=user.pk,
        )
    return user
