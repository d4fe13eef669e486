"""`libdesk privacy purge`: apply every retention period now (core/retention.py)."""

import json

from django.core.management.base import BaseCommand, CommandParser

from libdesk.core import retention


class Command(BaseCommand):
    help = (
        "Patron privacy. `purge` deletes or unlinks everything kept past its retention period; "
        "`libdesk run` does the same every hour. Safe to stop and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        purge = actions.add_parser(
            "purge",
            help="apply every retention period now (rows, log and mail files, cache, audit log)",
        )
        purge.add_argument("--json", action="store_true", help="print what was done as JSON")

    def handle(self, *args: object, action: str, **options: object) -> None:
        done = retention.purge_all()
        if options["json"]:
            self.stdout.write(json.dumps(done, sort_keys=True))
            return
        for name, count in done.items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
        self.stdout.write(f"Retention purge done: {sum(done.values())} removed or unlinked.")
