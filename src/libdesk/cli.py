"""The `libdesk` command: Django's management commands behind a short, readable help."""

from __future__ import annotations

import os
import sys

HELP = """\
usage: libdesk COMMAND [options]

Run a library:
  run                 start every service in the foreground (web, background worker, index)
  migrate             create or update the database tables
  demo load           load the demo library (--reset erases the database first)

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


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    if len(argv) < 2 or argv[1:] in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(HELP)
        return
    if argv[1:] == ["help", "--all"]:
        argv = argv[:2]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
