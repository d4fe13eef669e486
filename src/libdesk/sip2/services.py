"""Terminal accounts: administrators set them up in the staff client; kiosks log in with them
(SIP2 93). A terminal's institution and branch are what the server trusts, never what the
kiosk sends. Logins lock per terminal account after repeated failures, as patron PINs do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from libdesk.access.table import Context, require
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor
from libdesk.core import clock, lockout
from libdesk.core.errors import InputError
from libdesk.core.models import SignInLock
from libdesk.library.models import Branch
from libdesk.sip2.models import (
    DEFAULT_MESSAGES,
    DEFAULT_PATRON_FIELDS,
    MESSAGES,
    Encoding,
    PatronField,
    Terminal,
)

LOGIN_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,40}")
INSTITUTION_PATTERN = re.compile(r"[A-Za-z0-9._ -]{1,40}")
SHORTEST_PASSWORD = 8


class TerminalError(InputError):
    """Terminal settings that cannot be accepted, naming the field."""


class TerminalLoginFailed(Exception):
    """Login or password not recognised (or the terminal disabled): one answer for all."""


@dataclass
class TerminalSettings:
    """What an administrator sets for a terminal (the password is set on its own)."""

    institution: str
    branch: str
    name: str = ""
    encoding: str = Encoding.UTF8
    messages: list[str] = field(default_factory=lambda: list(DEFAULT_MESSAGES))
    patron_fields: list[str] = field(default_factory=lambda: list(DEFAULT_PATRON_FIELDS))
    error_detection: bool = True
    pin_every_time: bool = False
    pin_not_required: bool = False
    accepts_offline: bool = False
    enabled: bool = True


def _check(settings: TerminalSettings) -> Branch:
    if not INSTITUTION_PATTERN.fullmatch(settings.institution.strip()):
        raise TerminalError("institution", _("an institution id is 1 to 40 letters or digits"))
    branch = Branch.objects.filter(code=settings.branch).first()
    if branch is None:
        raise TerminalError("branch", _("no branch has the code %s") % settings.branch)
    if settings.encoding not in Encoding.values:
        raise TerminalError("encoding", _("choose one of: %s") % ", ".join(Encoding.values))
    unknown = sorted(set(settings.messages) - set(MESSAGES))
    if unknown:
        raise TerminalError("messages", _("unknown messages: %s") % ", ".join(unknown))
    unknown = sorted(set(settings.patron_fields) - set(PatronField.values))
    if unknown:
        raise TerminalError("patron_fields", _("unknown fields: %s") % ", ".join(unknown))
    if len(settings.name) > 100:
        raise TerminalError("name", _("keep the name under 100 characters"))
    return branch


def _check_password(password: str) -> None:
    if len(password) < SHORTEST_PASSWORD or len(password) > 128:
        raise TerminalError(
            "password", _("a terminal password is %d to 128 characters") % SHORTEST_PASSWORD
        )
    if any(ord(c) < 32 or c in "|\r\n" for c in password):
        raise TerminalError(
            "password", _("a terminal password cannot hold | or control characters")
        )


def _apply(terminal: Terminal, settings: TerminalSettings, branch: Branch) -> None:
    terminal.institution = settings.institution.strip()
    terminal.branch = branch
    terminal.name = settings.name.strip()
    terminal.encoding = settings.encoding
    terminal.messages = sorted(set(settings.messages))
    terminal.patron_fields = sorted(set(settings.patron_fields))
    terminal.error_detection = settings.error_detection
    terminal.pin_every_time = settings.pin_every_time
    terminal.pin_not_required = settings.pin_not_required
    terminal.accepts_offline = settings.accepts_offline
    terminal.enabled = settings.enabled
    terminal.changed_at = clock.now()


def _audit(admin, workstation, action: str, terminal: Terminal) -> None:
    audit.record(
        Actor.staff(admin, workstation), action, object_type="terminal", object_id=terminal.pk
    )


def create_terminal(
    admin, workstation, login: str, password: str, settings: TerminalSettings
) -> Terminal:
    """A new SIP2 login for a kiosk (administrators only)."""
    require(admin.role, "kiosk_terminals", "create", Context.NONE)
    login = login.strip()
    if not LOGIN_PATTERN.fullmatch(login):
        raise TerminalError("login", _("a login is 1 to 40 letters, digits, dots or dashes"))
    _check_password(password)
    branch = _check(settings)
    now = clock.now()
    terminal = Terminal(login=login, password_hash=make_password(password), created_at=now)
    _apply(terminal, settings, branch)
    try:
        with transaction.atomic():
            terminal.save()
            _audit(admin, workstation, "sip2.terminal.create", terminal)
    except IntegrityError as exc:
        raise TerminalError("login", _("another terminal has this login")) from exc
    return terminal


def change_terminal(admin, workstation, terminal: Terminal, settings: TerminalSettings) -> Terminal:
    """New settings for a terminal; its connections follow them from their next message
    (a disabled terminal is logged out)."""
    require(admin.role, "kiosk_terminals", "change", Context.NONE)
    branch = _check(settings)
    with transaction.atomic():
        terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
        _apply(terminal, settings, branch)
        terminal.save()
        _audit(admin, workstation, "sip2.terminal.change", terminal)
    return terminal


def set_terminal_password(admin, workstation, terminal: Terminal, password: str) -> Terminal:
    require(admin.role, "kiosk_terminals", "change", Context.NONE)
    _check_password(password)
    with transaction.atomic():
        terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
        terminal.password_hash = make_password(password)
        terminal.changed_at = clock.now()
        terminal.save(update_fields=["password_hash", "changed_at"])
        _audit(admin, workstation, "sip2.terminal.password", terminal)
    for subject in _lock_subjects(terminal):
        lockout.lift(subject)
    return terminal


def _lock_subjects(terminal: Terminal) -> list[str]:
    """Every lock on this terminal account, from whichever address."""
    base = lockout.known("terminal", terminal.pk)
    rows = SignInLock.objects.filter(Q(subject=base) | Q(subject__startswith=f"{base}@"))
    return list(rows.values_list("subject", flat=True).distinct())


def log_in(login: str, password: str, address: str = "") -> Terminal:
    """SIP2 93. Raises TerminalLoginFailed, or Refused (429) while this terminal account is
    locked from this address. An unknown login answers like a known one (one hash computed
    either way). Failures count per account and address, so that guesses from elsewhere on
    the network cannot lock the library's own kiosks out."""
    terminal = Terminal.objects.select_related("branch").filter(login=login).first()
    where = f"@{address}" if address else ""
    subject = (
        lockout.known("terminal", f"{terminal.pk}{where}")
        if terminal
        else lockout.unknown("terminal", f"{login}{where}")
    )

    def verify() -> bool:
        if terminal is None or not password:
            make_password(password or "-")  # the same work as checking a real password
            return False
        return check_password(password, terminal.password_hash) and terminal.enabled

    if not lockout.check(subject, lockout.KIOSK, verify):
        raise TerminalLoginFailed
    return terminal
