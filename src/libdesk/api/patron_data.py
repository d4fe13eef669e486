"""The patron data the API keeps, registered with the registry (core/patron_data.py): the
patron's API tokens (apps signed in with their card), never their secrets."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libdesk.api.models import ApiToken
from libdesk.core import clock
from libdesk.core.patron_data import Closing, PatronDataKind, Retention, register


def _token(token: ApiToken, patron_id: int) -> dict:
    """When an app signed in with the card, and until when (never the token or its hash)."""
    return {
        "signed_in_at": token.created_at,
        "valid_until": token.expires_at,
        "signed_out_at": token.revoked_at,
    }


def purge_ended_tokens() -> int:
    """Patron tokens that expired or were revoked more than ENDED_TOKEN_RETENTION_DAYS ago."""
    cutoff = clock.now() - timedelta(days=settings.LIBDESK["ENDED_TOKEN_RETENTION_DAYS"])
    ended = ApiToken.objects.filter(kind=ApiToken.PATRON).filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    )
    return ended.delete()[0]


def register_all() -> None:
    register(
        PatronDataKind(
            name="api.tokens",
            label=_("Apps signed in with your card"),
            model=ApiToken,
            resource="patron.profile",
            rows=lambda pid: ApiToken.objects.filter(kind=ApiToken.PATRON, patron_id=pid),
            export_row=_token,
            closing=Closing.DELETE,
            closing_text=_("Deleted: every app signed in with your card is signed out."),
            retention=Retention(
                _("Deleted a few days after it expires or the app signs out."),
                setting="ENDED_TOKEN_RETENTION_DAYS",
                purge=purge_ended_tokens,
            ),
        )
    )
