"""`libdesk items import CSV`: copies of records, by barcode (re-importing updates them)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.catalog.items import COLUMNS, ItemFileError, import_items_csv
from libdesk.catalog.search.follower import wait_until_indexed


class Command(BaseCommand):
    help = f"Import items from CSV with the columns {', '.join(COLUMNS)}."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser("import", help="create or update items from a CSV file")
        imp.add_argument("file")

    def handle(self, *args: object, file: str, **_: object) -> None:
        try:
            summary = import_items_csv(Path(file))
        except ItemFileError as exc:
            raise CommandError(f"{exc}\nNo item was stored.") from exc
        wait_until_indexed()
        self.stdout.write(f"{file}: {summary.created} items created, {summary.updated} updated")
