"""`libdesk demo load`: the demo library, for trying libdesk on one machine."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.demo.loader import DemoError, demo_code, library_holds_data, load_demo


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
        code = actions.add_parser(
            "code", help="the current authenticator code of a demo staff member (privacy, admin)"
        )
        code.add_argument("username")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "code":
            try:
                self.stdout.write(demo_code(options["username"]))
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
            return
        self._load(reset=options["reset"], if_empty=options["if_empty"])

    def _load(self, *, reset: bool, if_empty: bool) -> None:
        if if_empty and library_holds_data():
            self.stdout.write("A library is already loaded; the demo was not loaded.")
            return
        try:
            load_demo(reset=reset)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo library loaded: Kenora Public Library (MAIN, KEEW).")
