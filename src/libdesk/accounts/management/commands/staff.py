"""`libdesk staff create`: the first administrator of a new library (later ones are added in
the staff client)."""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from libdesk.accounts.models import Role, StaffUser
from libdesk.audit import services as audit
from libdesk.audit.actors import Actor


class Command(BaseCommand):
    help = "Create a staff account from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a staff account")
        create.add_argument("username")
        create.add_argument("--role", choices=Role.values, default=Role.ADMINISTRATOR)
        create.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(
        self, *args: object, username: str, role: str, password_stdin: bool, **_: object
    ) -> None:
        if StaffUser.objects.filter(username=username).exists():
            raise CommandError(f"a staff account named {username!r} exists")
        password = (
            sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
        )
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user = StaffUser.objects.create_user(
                username=username,
                password=password,
                role=role,
                is_staff=role == Role.ADMINISTRATOR,
                is_superuser=role == Role.ADMINISTRATOR,
            )
            audit.record(
                Actor.system("cli"),
                "staff.add",
                object_type="staff",
                object_id=user.pk,
                reason=role,
            )
        self.stdout.write(f"staff account {username} created ({Role(role).label})")
