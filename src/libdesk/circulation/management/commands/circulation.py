"""`libdesk circulation run-jobs`: notices, hold-shelf expiry, suspensions, unlinking."""

import json

from django.core.management.base import BaseCommand, CommandParser

from libdesk.circulation.jobs import run_jobs


class Command(BaseCommand):
    help = "Circulation's periodic work. `libdesk run` starts it every hour; it is safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        jobs = actions.add_parser(
            "run-jobs",
            help="send notices, expire uncollected holds, resume suspensions, unlink ended holds",
        )
        jobs.add_argument("--json", action="store_true", help="print what was done as JSON")

    def handle(self, *args: object, action: str, **options: object) -> None:
        done = run_jobs()
        if options["json"]:
            self.stdout.write(json.dumps(done, sort_keys=True))
        else:
            self.stdout.write(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in done.items()))
