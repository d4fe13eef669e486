"""The patron's access log in plain words: when, which role, at which branch, what kind of
data, in the patron's language (PRIVACY.md: "A patron can see when and by which role and
branch their record was looked at").

The audit log keeps ids and codes (`clerk`, `MAIN`, `loans`); this turns each of the patron's
entries into the words the account page and `GET /api/v1/me/access-log` show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from libdesk.access.table import Role
from libdesk.audit import data_kinds
from libdesk.audit.models import ActorKind, AuditEntry
from libdesk.library.models import Branch


@dataclass(frozen=True)
class AccessLogLine:
    at: datetime
    role: str  # the role's code, as the log keeps it
    role_label: str
    branch: str  # the branch's code
    branch_name: str
    data_kind: str  # the kind's code
    what: str


def in_words(entries: Iterable[AuditEntry]) -> list[AccessLogLine]:
    """Each entry as the patron reads it (one query for the branch names, whatever the count)."""
    entries = list(entries)
    codes = {entry.branch for entry in entries if entry.branch}
    names = dict(Branch.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [
        AccessLogLine(
            at=entry.at,
            role=entry.actor_role,
            role_label=_role(entry),
            branch=entry.branch,
            branch_name=names.get(entry.branch, entry.branch),
            data_kind=entry.data_kind,
            what=str(data_kinds.label(entry.data_kind)),
        )
        for entry in entries
    ]


def _role(entry: AuditEntry) -> str:
    if entry.actor_role in Role.values:
        return str(Role(entry.actor_role).label)
    if entry.actor_kind == ActorKind.SYSTEM:
        return _("libdesk itself")
    return _("Library staff")
