"""`libdesk checkpoint_wal`: SQLite's WAL checkpointer (`libdesk run` starts it on SQLite)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from libdesk.core.walcheckpoint import run_checkpointer


class Command(BaseCommand):
    help = "Copy SQLite's write-ahead log into the database every second, off the request path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--rounds", type=int, default=None, help="stop after this many")

    def handle(self, *args: object, every: float, rounds: int | None, **_: object) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("checkpoint_wal is for SQLite; PostgreSQL checkpoints itself")
        if every <= 0:
            raise CommandError("--every must be more than 0 seconds")
        run_checkpointer(every, rounds=rounds)
