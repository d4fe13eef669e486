"""The `libdesk` command: Django's management commands behind a short, readable help."""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import NoReturn

HELP = """\
usage: libdesk COMMAND [options]

Run a library:
  run                 start every service in the foreground (web, background worker, index)
  migrate             create or update the database tables
  demo load           load the demo library (--reset erases the database first)
  backup DEST         the database and keys, as of one instant, while the library runs
  restore SRC         a backup into an empty data directory and database (docs/backup.md)

Policies:
  policies import FILE...           register policy documents (YAML)
  policies reviewed NUMBER --date D record a board review without a new version
  policies due [--within DAYS]      policies whose review has passed or is near
  policies list                     policies in force

Catalogue:
  catalog import FILE...            MARC21 or MARCXML (.gz, .xz too); rejects to FILE.rejects.*
  catalog export [--format F]       the catalogue as ISO 2709 or MARCXML
  catalog reindex                   rebuild this node's search index from the database
  items import CSV                  copies, by barcode

Circulation:
  circulation run-jobs              notices, hold-shelf expiry (libdesk run does it hourly)

People and access:
  staff create USERNAME [--role R]  a staff account (the first administrator of a library)
  tokens create USERNAME --workstation NAME
                                    an API token for a staff client (shown once)
  tokens list [USERNAME] | tokens revoke TOKEN_ID
  audit verify [--anchor FILE]...   check the audit log's keyed chain (and anchors kept away)
  audit anchor [--out FILE]         a signed checkpoint of the log's head, to keep elsewhere
  audit prune [--days N]            prune entries past the retention period
  audit rotate-key                  sign from now on with a new LIBDESK_AUDIT_KEY
  privacy purge [--json]            apply every retention period now (libdesk run: hourly)

Reference desk:
  reference check-answer [--lang en|fr]
                                    flag opinions, advice, recommendations in an answer (stdin)

Each command has its own help: libdesk COMMAND --help
Every Django management command is also available: libdesk help --all

Settings come from the environment: LIBDESK_DATA_DIR, LIBDESK_DATABASE_URL, LIBDESK_TIME_ZONE,
LIBDESK_BIND, LIBDESK_HTTPS (see docs/configuration.md).
"""


# Commands that make the database, or need none: every other one needs a migrated database.
NO_DATABASE_NEEDED = {
    ("migrate",),
    ("restore",),  # into an empty data directory: it makes the database
    ("help",),
    ("version",),
    ("--version",),
    ("check",),
    ("makemigrations",),
    ("makemessages",),
    ("compilemessages",),
    ("reference", "check-answer"),
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    if len(argv) < 2 or argv[1:] in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(HELP)
        return
    if argv[1:] == ["help", "--all"]:
        argv = argv[:2]
    sys.stderr.write(f"libdesk: data directory {data_dir()}\n")
    if _needs_database(argv[1:]):
        _require_database()
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _needs_database(args: list[str]) -> bool:
    if "-h" in args or "--help" in args:
        return False
    return not any(tuple(args[: len(words)]) == words for words in NO_DATABASE_NEEDED)


def data_dir() -> Path:
    """The data directory settings.py will use (the same rule, without creating it)."""
    return Path(os.environ.get("LIBDESK_DATA_DIR", "var")).resolve()


def _require_database() -> None:
    """Stop, creating nothing, when the data directory holds no
    database (a command run outside the project folder used to make `./var` there and fail
    with a traceback about a missing table)."""
    path = data_dir() / "libdesk.sqlite3"
    if url := os.environ.get("LIBDESK_DATABASE_URL"):
        import dj_database_url

        database = dj_database_url.parse(url)
        if not database["ENGINE"].endswith("sqlite3"):
            return _require_tables()
        path = Path(database["NAME"])
    if not path.is_file():
        _no_database(f"{path} does not exist")
    if not _sqlite_has_tables(path):
        _no_database(f"{path} has no libdesk tables")
    return None


def _sqlite_has_tables(path: Path) -> bool:
    """Opened without `create`, so that looking makes no database."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True)) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
    except sqlite3.Error:
        return False
    return found is not None


def _require_tables() -> None:
    """With LIBDESK_DATABASE_URL, the database exists but may have no tables yet."""
    import django
    from django.db import connection
    from django.db.utils import OperationalError

    django.setup()
    try:
        tables = connection.introspection.table_names()
    except OperationalError as exc:
        _no_database(f"cannot open the database of LIBDESK_DATABASE_URL: {exc}".strip())
    if "django_migrations" not in tables:
        _no_database("the database of LIBDESK_DATABASE_URL has no libdesk tables")


def _no_database(why: str) -> NoReturn:
    sys.stderr.write(
        f"libdesk: {why}.\n"
        "Run `libdesk migrate` to create it there, or set LIBDESK_DATA_DIR to the data "
        "directory of an existing library.\n"
    )
    sys.exit(2)


if __name__ == "__main__":
    main()
