"""Reads of terminal accounts for the administrators' pages. Terminals name no patron, so the
reads are checked against the access table but not audited."""

from __future__ import annotations

from libdesk.access.table import Context, require
from libdesk.sip2.models import Terminal


def terminals(staff) -> list[Terminal]:
    """Every terminal, by login, with its branch (one query)."""
    require(staff.role, "kiosk_terminals", "read", Context.NONE)
    return list(Terminal.objects.select_related("branch").order_by("login"))


def terminal(staff, terminal_id: int) -> Terminal | None:
    require(staff.role, "kiosk_terminals", "read", Context.NONE)
    return Terminal.objects.select_related("branch").filter(pk=terminal_id).first()
