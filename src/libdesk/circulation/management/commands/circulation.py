"""`libdesk circulation run-jobs`: notices, hold-shelf expiry, suspensions, unlinking."""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from libdesk.circulation.jobs import run_jobs
from libdesk.core.leases import claim_period, finish, node_id


class Command(BaseCommand):
    help = "Circulation's periodic work. `libdesk run` starts it every hour; it is safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        jobs = actions.add_parser(
            "run-jobs",
            help="send notices, expire uncollected holds, resume suspensions, unlink ended holds",
        )
        jobs.add_argument("--json", action="store_true", help="print what was done as JSON")
        jobs.add_argument(
            "--once-per-hour",
            action="store_true",
            help="do nothing if another node already ran them this hour (libdesk run)",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        if not options["once_per_hour"]:
            self._report(run_jobs(), options["json"])
            return
        claimed = claim_period("hourly jobs", 3600, node_id(), lease=timedelta(minutes=30))
        if claimed is None:
            self.stdout.write("already run this hour by another node")
            return
        self._report(run_jobs(), options["json"])
        finish(claimed)

    def _report(self, done: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(done, sort_keys=True))
        else:
            self.stdout.write(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in done.items()))
