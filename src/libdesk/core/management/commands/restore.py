"""`libdesk restore SRC`: a backup into an empty data directory and an empty database, then
the search index rebuilt and the audit log verified, as the restored library will run
(docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from libdesk.audit.verification import verify
from libdesk.catalog.search.follower import rebuild
from libdesk.core.backup import BackupError, key_in_force, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `libdesk backup` into an empty data directory."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", metavar="SRC", help="the backup's directory")

    def handle(self, *args: object, src: str, **options: object) -> None:
        try:
            restored = restore_backup(Path(src))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = restored.manifest
        self.stdout.write(
            f"restored the {manifest['database_vendor']} database backed up at "
            f"{manifest['created_at']} (libdesk {manifest.get('libdesk_version', '?')})"
        )
        # This process read its keys before the backup's were put in place: check the library
        # with the keys it will start with from now on.
        keys = {"SECRET_KEY": key_in_force("secret_key"), "AUDIT_KEY": key_in_force("audit_key")}
        with override_settings(**keys):
            self.stdout.write(f"search index rebuilt: {rebuild()} records")
            result = verify([])
        for variable in restored.keys_from_environment:
            self.stdout.write(
                f"{variable} is set in the environment and overrides the key restored into the "
                "data directory: it must be the backup's (keys/ in the backup)"
            )
        for kept, variable in (
            ("audit_old_keys", "LIBDESK_AUDIT_OLD_KEYS"),
            ("secret_key_fallbacks", "LIBDESK_SECRET_KEY_FALLBACKS"),
        ):
            if (Path(src) / "keys" / kept).exists():
                self.stdout.write(f"set {variable} to the content of keys/{kept} in the backup")
        if not result.ok:
            raise CommandError(
                "the restored audit log does not verify (is the audit key the backup's?):\n  "
                + "\n  ".join(result.problems)
            )
        self.stdout.write(f"audit log verifies: {result.checked} entries checked")
        if restored.unapplied_migrations:
            self.stdout.write(
                f"the backup predates {len(restored.unapplied_migrations)} migrations of this "
                "libdesk: run `libdesk migrate` before `libdesk run`"
            )
