"""The second factor staff sign in with: an authenticator app (TOTP, RFC 6238, computed by
pyotp) and ten one-time recovery codes for a lost phone. Privacy officers and administrators
must have one; any member of staff may turn it on (docs/configuration.md)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import pyotp
from django.db import transaction
from django.utils.translation import gettext as _

from libdesk.accounts.models import RecoveryCode, SecondFactor, StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock
from libdesk.core.errors import InputError

ISSUER = "libdesk"
STEP_SECONDS = 30
RECOVERY_CODES = 10
CODE_PATTERN = re.compile(r"[0-9]{6}")


class SecondFactorError(InputError):
    """A code that does not confirm or remove the authenticator, naming the field."""


def confirmed(user: StaffUser) -> SecondFactor | None:
    return SecondFactor.objects.filter(staff=user, confirmed_at__isnull=False).first()


def start(user: StaffUser) -> SecondFactor:
    """A new secret to scan into the app; it counts only once a code from it is entered."""
    if confirmed(user):
        raise SecondFactorError("code", _("an authenticator is already set up; remove it first"))
    with transaction.atomic():
        SecondFactor.objects.filter(staff=user).delete()
        return SecondFactor.objects.create(
            staff=user, secret=pyotp.random_base32(), created_at=clock.now()
        )


def pending(user: StaffUser) -> SecondFactor | None:
    return SecondFactor.objects.filter(staff=user, confirmed_at__isnull=True).first()


def provisioning_uri(factor: SecondFactor, library: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    name = f"{factor.staff.username} ({library})" if library else factor.staff.username
    return pyotp.TOTP(factor.secret).provisioning_uri(name=name, issuer_name=ISSUER)


def _matching_step(factor: SecondFactor, code: str) -> int | None:
    """The time step whose code this is (the one before or after counts, for clock drift)."""
    code = code.strip().replace(" ", "")
    if not CODE_PATTERN.fullmatch(code):
        return None
    totp, now = pyotp.TOTP(factor.secret), clock.now()
    for offset in (-1, 0, 1):
        at = now + timedelta(seconds=offset * STEP_SECONDS)
        if hmac.compare_digest(totp.at(at), code):
            return int(at.timestamp()) // STEP_SECONDS
    return None


def confirm(user: StaffUser, workstation, code: str) -> list[str]:
    """The first code from the app turns the factor on; answers the recovery codes, shown
    this once and stored only as hashes."""
    factor = pending(user)
    step = _matching_step(factor, code) if factor else None
    if step is None:
        raise SecondFactorError("code", _("that code does not match; type the 6 digits shown now"))
    with transaction.atomic():
        factor.confirmed_at, factor.last_step = clock.now(), step
        factor.save(update_fields=["confirmed_at", "last_step"])
        codes = _replace_recovery_codes(user)
        audit.record(
            Actor.staff(user, workstation),
            "staff.second_factor.on",
            object_type="staff",
            object_id=user.pk,
        )
    return codes


def verify(user: StaffUser, code: str) -> bool:
    """Whether `code` is the authenticator's current code (never one already used) or an
    unused recovery code, which is then spent."""
    with transaction.atomic():
        factor = (
            SecondFactor.objects.select_for_update()
            .filter(staff=user, confirmed_at__isnull=False)
            .first()
        )
        if factor is None:
            return False
        step = _matching_step(factor, code)
        if step is not None and (factor.last_step is None or step > factor.last_step):
            factor.last_step = step
            factor.save(update_fields=["last_step"])
            return True
        return _spend_recovery_code(user, code)


def _normalised(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _spend_recovery_code(user: StaffUser, code: str) -> bool:
    if len(_normalised(code)) != 10:
        return False
    spent = RecoveryCode.objects.filter(
        staff=user, code_hash=_hash(code), used_at__isnull=True
    ).update(used_at=clock.now())
    return spent == 1


def _replace_recovery_codes(user: StaffUser) -> list[str]:
    RecoveryCode.objects.filter(staff=user).delete()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = []
    for _count in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _letter in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(staff=user, code_hash=_hash(code)) for code in codes
    )
    return codes


def new_recovery_codes(user: StaffUser, workstation) -> list[str]:
    """Ten fresh codes; the old ones stop working."""
    if not confirmed(user):
        raise SecondFactorError("code", _("set up an authenticator first"))
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit.record(
            Actor.staff(user, workstation),
            "staff.second_factor.codes",
            object_type="staff",
            object_id=user.pk,
        )
    return codes


def unused_recovery_codes(user: StaffUser) -> int:
    return RecoveryCode.objects.filter(staff=user, used_at__isnull=True).count()


def remove(user: StaffUser, workstation) -> None:
    """Turn the factor off, for roles that do not require one. The door has checked a current
    code first (accounts.services.check_code, which counts wrong ones towards the lock)."""
    if user.needs_second_factor:
        raise SecondFactorError("code", _("your role signs in with a second factor; it stays on"))
    with transaction.atomic():
        SecondFactor.objects.filter(staff=user).delete()
        RecoveryCode.objects.filter(staff=user).delete()
        audit.record(
            Actor.staff(user, workstation),
            "staff.second_factor.off",
            object_type="staff",
            object_id=user.pk,
        )
