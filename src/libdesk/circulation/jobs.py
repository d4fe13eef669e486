"""The daily circulation job (`libdesk circulation run-jobs`): safe to kill and run again."""

from __future__ import annotations

from libdesk.circulation.services import expire_and_resume
from libdesk.circulation.services.requests import unlink_closed_requests
from libdesk.circulation.tasks import daily_notices
from libdesk.core import housekeeping


def run_jobs() -> dict[str, int]:
    done = expire_and_resume()
    done["requests_unlinked"] = unlink_closed_requests()
    done["notices_queued"] = daily_notices()
    done.update(housekeeping.run_daily())  # other stores' purges (the API's replies)
    return done
