"""Staff accounts: one sign-in path (lockout, audit, second factor), and the changes that end a
person's sessions and tokens (password, role, disabling or enabling again)."""

from __future__ import annotations

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from libdesk.access.table import STAFF_ROLES, Context, Role, require
from libdesk.accounts import second_factor
from libdesk.accounts.models import StaffUser, Workstation, new_stamp
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import housekeeping, lockout
from libdesk.core.errors import InputError

log = logging.getLogger(__name__)


class StaffSignInFailed(Exception):
    """User name, password or code not recognised: one answer for every cause."""


class StaffError(InputError):
    """Input a staff-account service cannot accept, naming the field."""


def _password_matches(user: StaffUser | None, password: str) -> bool:
    """Always one password hash computed, known user or not (Django's own defence)."""
    if user is None or not password or not user.has_usable_password():
        StaffUser().set_password(password or "-")
        return False
    return user.check_password(password)


def check_password(username: str, password: str) -> StaffUser:
    """The first step of every staff sign-in, whatever the URL. Raises StaffSignInFailed, or
    Refused (429) while locked; an unknown or disabled account answers exactly like a known
    one with a wrong password, and counts towards a lock under a keyed hash."""
    user = StaffUser.objects.filter(username=username).first() if username else None
    subject = lockout.known("staff", user.pk) if user else lockout.unknown("staff", username)

    def verify() -> bool:
        return _password_matches(user, password) and user.is_active

    if not lockout.check(subject, lockout.ONLINE, verify):
        raise StaffSignInFailed
    return user


def check_code(user: StaffUser, code: str) -> None:
    """The second step for staff with a second factor: an authenticator code or a recovery
    code. Wrong codes count towards the same lock as wrong passwords."""
    subject = lockout.known("staff", user.pk)
    if not lockout.check(subject, lockout.ONLINE, lambda: second_factor.verify(user, code)):
        raise StaffSignInFailed


def signed_in(user: StaffUser, workstation: Workstation) -> None:
    """Record a completed sign-in (after the second factor, when there is one)."""
    log.debug("staff %s signed in at workstation %s", user.pk, workstation.name)
    with transaction.atomic():
        audit.record(
            Actor.staff(user, workstation), "staff.sign_in", object_type="staff", object_id=user.pk
        )


def _end_sessions(user: StaffUser) -> None:
    """Every web session and API token of this person stops working (they carry the old
    stamp); the door gives the session that should go on the new one."""
    user.credential_stamp = new_stamp()


def _audited_change(admin, workstation, user: StaffUser, action: str, fields: list[str], **kw):
    with transaction.atomic():
        user.save(update_fields=[*fields, "credential_stamp"])
        audit.record(
            Actor.staff(admin, workstation) if admin else Actor.system("cli"),
            action,
            object_type="staff",
            object_id=user.pk,
            **kw,
        )
    return user


def _staff_role(role: str) -> Role:
    if role not in STAFF_ROLES:
        raise StaffError("role", _("choose one of %s") % ", ".join(STAFF_ROLES))
    return Role(role)


def _valid_password(password: str, user: StaffUser | None, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise StaffError(field, " ".join(exc.messages)) from exc


def add_staff(
    admin, workstation, *, username: str, first_name: str, last_name: str, role: str, password: str
) -> StaffUser:
    """An administrator adds a member of staff; `admin` None is the command line setting up
    the first administrator of a new library."""
    if admin is not None:
        require(admin.role, "staff_accounts", "create", Context.NONE)
    _staff_role(role)
    if StaffUser.objects.filter(username=username).exists():
        raise StaffError("username", _("a staff account named %s exists") % repr(username))
    _valid_password(password, None, "password")
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
            Actor.staff(admin, workstation) if admin else Actor.system("cli"),
            "staff.add",
            object_type="staff",
            object_id=user.pk,
            reason=role,
        )
    return user


def change_role(admin, workstation, user: StaffUser, role: str) -> StaffUser:
    """A new role ends the person's sessions and tokens: what they may do has changed."""
    require(admin.role, "staff_accounts", "change", Context.NONE)
    user.role = _staff_role(role)
    user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
    _end_sessions(user)
    return _audited_change(
        admin, workstation, user, "staff.role", ["role", "is_staff", "is_superuser"], reason=role
    )


def set_active(admin, workstation, user: StaffUser, active: bool) -> StaffUser:
    """Disabling ends the person's sessions and tokens at once; enabling again does too, so an
    old session does not come back with the account."""
    require(admin.role, "staff_accounts", "change", Context.NONE)
    if user.pk == admin.pk and not active:
        raise StaffError("action", _("administrators cannot disable their own account"))
    user.is_active = active
    _end_sessions(user)
    action = "staff.enable" if active else "staff.disable"
    with transaction.atomic():
        changed = _audited_change(admin, workstation, user, action, ["is_active"])
        if not active:
            housekeeping.staff_disabled(user.pk)
    return changed


def change_own_password(user: StaffUser, workstation, current: str, new: str) -> StaffUser:
    """A member of staff changes their password. A wrong current password counts as a failed
    sign-in; every other session and token ends (the door renews the current session)."""
    subject = lockout.known("staff", user.pk)
    if not lockout.check(subject, lockout.ONLINE, lambda: _password_matches(user, current)):
        raise StaffError("current_password", _("the current password is not right"))
    _valid_password(new, user, "new_password")
    user.set_password(new)
    _end_sessions(user)
    return _audited_change(user, workstation, user, "staff.password.change", ["password"])


def reset_password(admin, workstation, user: StaffUser, new: str) -> StaffUser:
    """An administrator (or, with `admin` None, the command line) sets a new password: it
    lifts a sign-in lock and ends the person's sessions and tokens."""
    if admin is not None:
        require(admin.role, "staff_accounts", "change", Context.NONE)
    _valid_password(new, user, "password")
    user.set_password(new)
    _end_sessions(user)
    with transaction.atomic():
        lockout.lift(lockout.known("staff", user.pk))
        return _audited_change(admin, workstation, user, "staff.password.reset", ["password"])


def lift_sign_in_lock(admin, workstation, user: StaffUser) -> list[str]:
    require(admin.role, "staff_accounts", "change", Context.NONE)
    with transaction.atomic():
        lifted = lockout.lift(lockout.known("staff", user.pk))
        if lifted:
            audit.record(
                Actor.staff(admin, workstation),
                "staff.sign_in.unlock",
                object_type="staff",
                object_id=user.pk,
            )
    return lifted
