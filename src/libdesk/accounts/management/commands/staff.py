"""`libdesk staff create`: the first administrator of a new library (later ones are added in
the staff client); `libdesk staff password`: a new password for someone locked out of every
administrator account. Both go through the staff-account services, like the staff client."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.access.table import STAFF_ROLES, Role
from libdesk.accounts import selectors, services


class Command(BaseCommand):
    help = "Create a staff account, or set a new password, from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a staff account")
        create.add_argument("username")
        create.add_argument(
            "--role", choices=[r.value for r in STAFF_ROLES], default=Role.ADMINISTRATOR
        )
        password = actions.add_parser(
            "password", help="set a new password (ends the person's sessions and tokens)"
        )
        password.add_argument("username")
        for sub in (create, password):
            sub.add_argument(
                "--password-stdin",
                action="store_true",
                help="read the password from standard input",
            )

    def handle(self, *args: object, action: str, username: str, **options: object) -> None:
        secret = (
            sys.stdin.readline().rstrip("\n")
            if options["password_stdin"]
            else getpass.getpass("Password: ")
        )
        try:
            if action == "create":
                services.add_staff(
                    None,
                    None,
                    username=username,
                    first_name="",
                    last_name="",
                    role=options["role"],
                    password=secret,
                )
                self.stdout.write(
                    f"staff account {username} created ({Role(options['role']).label})"
                )
                return
            person = selectors.staff_by_username(username)
            if person is None:
                raise CommandError(f"no staff account is named {username!r}")
            services.reset_password(None, None, person, secret)
        except services.StaffError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        self.stdout.write(f"new password set for {username}; their sessions and tokens ended")
