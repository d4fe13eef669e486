"""`libdesk audit verify|anchor|prune|rotate-key`: the privacy officer's tools for the audit log.

`anchor` writes a signed checkpoint of the head to keep away from the server; `verify` walks
the keyed chain and checks every anchor given; `prune` deletes entries past the retention
period, leaving a signed checkpoint; `rotate-key` moves the log onto LIBDESK_AUDIT_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.audit import services
from libdesk.audit.anchors import Anchor, AnchorError
from libdesk.audit.keys import MissingKey
from libdesk.audit.verification import verify

ANCHOR_FILE_LIMIT = 4096  # an anchor is about 300 bytes; anything larger is not one


class Command(BaseCommand):
    help = "Verify the audit log, take an anchor, prune past the retention period, rotate the key."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser(
            "verify", help="walk the chain and check anchors; fail naming the entry or anchor"
        )
        check.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE",
            help="an anchor taken earlier (repeat for several)",
        )
        anchor = actions.add_parser(
            "anchor", help="write a signed checkpoint of the head, to keep away from the server"
        )
        anchor.add_argument(
            "--out", metavar="FILE", help="write it to FILE (never overwritten); default stdout"
        )
        prune = actions.add_parser("prune", help="delete entries past the retention period")
        prune.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default LIBDESK_AUDIT_RETENTION_DAYS)",
        )
        actions.add_parser(
            "rotate-key",
            help="sign entries from now on with LIBDESK_AUDIT_KEY (docs/configuration.md)",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        try:
            {
                "verify": self.verify,
                "anchor": self.anchor,
                "prune": self.prune,
                "rotate-key": self.rotate_key,
            }[action](**options)
        except (services.AuditRefused, MissingKey, AnchorError) as exc:
            raise CommandError(str(exc)) from exc

    def verify(self, anchor: list[str], **options: object) -> None:
        result = verify([_read_anchor(path) for path in anchor])
        if not result.ok:
            raise CommandError("audit log does not verify:\n  " + "\n  ".join(result.problems))
        also = f" and {result.anchors_checked} anchors" if result.anchors_checked else ""
        self.stdout.write(f"audit log verifies: {result.checked} entries checked{also}")

    def anchor(self, out: str | None, **options: object) -> None:
        if not out:
            self.stdout.write(services.take_anchor().to_json())
            return
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError as exc:
            raise CommandError(
                f"--out: {out} exists already; anchors are never overwritten"
            ) from exc
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from exc
        with os.fdopen(fd, "w") as handle:
            try:
                taken = services.take_anchor()
            except Exception:
                Path(out).unlink()
                raise
            handle.write(taken.to_json() + "\n")
        self.stdout.write(
            f"anchor of entry {taken.seq} written to {out}: keep it away from this server"
        )

    def prune(self, days: int | None, **options: object) -> None:
        if days is not None and days < 1:
            raise CommandError("--days: give at least 1 day")
        pruned = services.prune(days)
        self.stdout.write(f"pruned {pruned} entries; the rest still verifies from a checkpoint")

    def rotate_key(self, **options: object) -> None:
        new = services.rotate_key()
        self.stdout.write(
            f"the audit log is signed with key {new} from the next entry; take a new anchor, "
            "and keep the old key in LIBDESK_AUDIT_OLD_KEYS until its entries are pruned"
        )


def _read_anchor(path: str) -> Anchor:
    try:
        with open(path, "rb") as handle:
            data = handle.read(ANCHOR_FILE_LIMIT + 1)
    except OSError as exc:
        raise CommandError(f"--anchor: cannot read {path}: {exc.strerror}") from exc
    if len(data) > ANCHOR_FILE_LIMIT:
        raise CommandError(f"--anchor: {path} is too large to be an anchor")
    return Anchor.parse(data.decode("utf-8", errors="replace"), path)
