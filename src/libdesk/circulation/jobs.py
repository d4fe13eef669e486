"""The daily circulation job (`libdesk circulation run-jobs`): safe to kill and run again."""

from __future__ import annotations

from libdesk.circulation.services import expire_and_resume
from libdesk.circulation.tasks import daily_notices
from libdesk.core import retention


def run_jobs() -> dict[str, int]:
    """Hold-shelf expiry and suspensions, the day's notices, then every retention period
    (core.retention: the same purge as `libdesk privacy purge`)."""
    done = expire_and_resume()
    done["notices_queued"] = daily_notices()
    done.update(retention.purge_all())
    return done
