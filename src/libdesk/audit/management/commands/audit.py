"""`libdesk audit verify|prune`: check the hash chain, and prune past the retention period."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.audit import services


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or prune entries past their retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("verify", help="walk the chain; fail naming the first bad entry")
        prune = actions.add_parser("prune", help="delete entries past the retention period")
        prune.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default LIBDESK_AUDIT_RETENTION_DAYS)",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "verify":
            result = services.verify()
            if not result.ok:
                raise CommandError(f"audit log does not verify: {result.problem}")
            self.stdout.write(f"audit log verifies: {result.checked} entries checked")
        else:
            days = options["days"]
            if days is not None and days < 1:
                raise CommandError("--days: give at least 1 day")
            pruned = services.prune(days)
            self.stdout.write(f"pruned {pruned} entries; the rest still verifies from a checkpoint")
