"""`libdesk backup DEST`: the library's database and keys, as of one instant, with a manifest,
while the library stays open (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.core.backup import BackupError, take_backup


class Command(BaseCommand):
    help = "Back up the database and keys to DEST (a new directory) while the library runs."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", metavar="DEST", help="a directory to create (or an empty one)")

    def handle(self, *args: object, dest: str, **options: object) -> None:
        try:
            manifest = take_backup(Path(dest))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = sum(f["bytes"] for f in manifest["files"].values())
        self.stdout.write(
            f"backed up the {manifest['database_vendor']} database as of "
            f"{manifest['created_at']} to {dest} ({size:,} bytes, "
            f"{len(manifest['migrations'])} migrations applied); it holds the audit and "
            "secret keys: keep it where only administrators can read it"
        )
