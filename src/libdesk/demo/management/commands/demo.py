"""`libdesk demo load`: the demo library, for trying libdesk on one machine."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.demo.loader import DemoError, library_holds_data, load_demo


class Command(BaseCommand):
    help = "Load the demo library (Kenora Public Library, invented patrons and staff)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help="load the demo library into this database")
        group = load.add_mutually_exclusive_group()
        group.add_argument(
            "--reset", action="store_true", help="erase everything in this database first"
        )
        group.add_argument(
            "--if-empty", action="store_true", help="do nothing if a library is already loaded"
        )

    def handle(self, *args: object, action: str, reset: bool, if_empty: bool, **_: object) -> None:
        if if_empty and library_holds_data():
            self.stdout.write("A library is already loaded; the demo was not loaded.")
            return
        try:
            load_demo(reset=reset)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo library loaded: Kenora Public Library (MAIN, KEEW).")
