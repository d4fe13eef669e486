"""A patron signed in on this browser: the web session every patron-facing page reads (the
account, the record page's hold form, renewals). Shared by the web doors, so it lives here,
beside them, rather than in any one app's views."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest

from libdesk.core import clock
from libdesk.core.replica import carries_no_credentials
from libdesk.patrons.selectors import session_is_current

PATRON_KEY, SEEN_KEY = "libdesk_patron_id", "libdesk_patron_seen"
STAMP_KEY = "libdesk_patron_stamp"


def signed_in_patron_id(request: HttpRequest) -> int | None:
    """The patron signed in on this browser, unless the session sat idle too long or was
    ended by a lost card or a new PIN (the patron's credential stamp changed)."""
    patron_id, seen = request.session.get(PATRON_KEY), request.session.get(SEEN_KEY)
    if patron_id is None or seen is None:
        return None
    idle = timedelta(minutes=settings.LIBDESK["PATRON_SESSION_IDLE_MINUTES"])
    too_old = clock.now().timestamp() - seen > idle.total_seconds()
    if too_old or not session_is_current(patron_id, request.session.get(STAMP_KEY)):
        request.session.flush()
        return None
    request.session[SEEN_KEY] = clock.now().timestamp()
    return patron_id


def hold_session(request: HttpRequest, patron) -> None:
    """Sign this browser in as `patron` under a new session key, with nothing carried over
    (a member of staff signed in on this browser is signed out)."""
    request.session.flush()
    request.session[PATRON_KEY] = patron.pk
    request.session[SEEN_KEY] = clock.now().timestamp()
    request.session[STAMP_KEY] = patron.credential_stamp


def anonymous_visitor(request: HttpRequest) -> bool:
    """Nobody signed in: no patron on this browser, no member of staff, no API token. Only
    such a visitor's catalogue pages may be read from the replica (core/replica.py)."""
    return carries_no_credentials(request) and signed_in_patron_id(request) is None
