"""The daily circulation job (`libdesk circulation run-jobs`): safe to kill and run again."""

from __future__ import annotations

from libdesk.api.idempotency import purge_expired
from libdesk.circulation.holds import expire_and_resume
from libdesk.circulation.notices import daily_notices
from libdesk.circulation.requests import unlink_closed_requests


def run_jobs() -> dict[str, int]:
    done = expire_and_resume()
    done["requests_unlinked"] = unlink_closed_requests()
    done["notices_queued"] = daily_notices()
    done["idempotency_replies_purged"] = purge_expired()
    return done
