"""`libdesk tokens ...`: API tokens for staff clients, each bound to a workstation."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.accounts.models import StaffUser, Workstation
from libdesk.api.tokens import issue_staff_token, revoke, staff_token_by_id, staff_tokens
from libdesk.core import clock


class Command(BaseCommand):
    help = "Create, list and revoke staff API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="issue a token (printed once)")
        create.add_argument("username")
        create.add_argument("--workstation", required=True, help="a registered workstation")
        listing = actions.add_parser("list", help="tokens, newest first (never the secrets)")
        listing.add_argument("username", nargs="?")
        rev = actions.add_parser("revoke", help="revoke a token by its id")
        rev.add_argument("token_id")

    def handle(self, *args: object, **options: object) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _create(self, username: str, workstation: str, **_: object) -> None:
        staff = StaffUser.objects.filter(username=username, is_active=True).first()
        if staff is None:
            raise CommandError(f"no active staff account is named {username!r}")
        station = (
            Workstation.objects.select_related("branch")
            .filter(name=workstation, active=True)
            .first()
        )
        if station is None:
            raise CommandError(f"no active workstation is named {workstation!r}")
        issued = issue_staff_token(staff, station)
        self.stdout.write(f"token id: {issued.token.public_id}")
        self.stdout.write(f"expires: {issued.token.expires_at:%Y-%m-%d %H:%M} UTC")
        self.stdout.write(f"bearer token (shown once, keep it secret): {issued.bearer}")

    def _list(self, username: str | None = None, **_: object) -> None:
        now = clock.now()
        for token in staff_tokens(username):
            state = (
                "revoked"
                if token.revoked_at
                else "expired"
                if token.expires_at <= now
                else "ended (credentials changed)"
                if token.holder_stamp != token.staff.credential_stamp
                else "active"
            )
            self.stdout.write(
                f"{token.public_id}  {token.staff.username}  {token.workstation.name}  "
                f"created {token.created_at:%Y-%m-%d}  expires {token.expires_at:%Y-%m-%d}  {state}"
            )

    def _revoke(self, token_id: str, **_: object) -> None:
        token = staff_token_by_id(token_id)
        if token is None:
            raise CommandError(f"no token has the id {token_id!r}")
        revoke(token)
        self.stdout.write(f"token {token_id} revoked")
