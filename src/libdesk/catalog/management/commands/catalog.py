"""`libdesk catalog import|export|reindex|follow`: MARC in and out, and this node's search
index."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.catalog import exporting
from libdesk.catalog.importing import ImportInterrupted, Summary, import_file
from libdesk.catalog.marc import FileUnreadable
from libdesk.catalog.search.follower import rebuild, run_follower, wait_until_indexed


class Command(BaseCommand):
    help = "Import MARC21 (ISO 2709 or MARCXML, plain, .gz or .xz), export, rebuild the index."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser(
            "import",
            help="import MARC files; exit 1 if any record was "
            "rejected, 2 if a file could not be read",
        )
        imp.add_argument("files", nargs="+", metavar="FILE")
        exp = actions.add_parser("export", help="write the catalogue as MARC to standard output")
        exp.add_argument("--format", choices=["marcxml", "iso2709"], default="iso2709")
        exp.add_argument("--output", "-o", help="a file instead of standard output")
        actions.add_parser(
            "reindex", help="rebuild this node's search index from the database (no other's)"
        )
        actions.add_parser(
            "follow",
            help="keep this node's search index up to date with the outbox until stopped "
            "(libdesk run starts it)",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "import":
            sys.exit(self._import_or_say_what_was_kept(options["files"]))
        elif action == "export":
            self._export(options["format"], options.get("output"))
        elif action == "follow":
            run_follower()
        else:
            started = time.monotonic()
            count = rebuild()
            self.stdout.write(f"reindexed {count} records in {time.monotonic() - started:.1f} s")

    def _import_or_say_what_was_kept(self, files: list[str]) -> int:
        """Ctrl-C ends an import with one line, not a traceback per process: what the
        committed batches hold stays, and the same command run again finishes the job."""
        self.kept = 0
        try:
            return self._import(files)
        except (ImportInterrupted, KeyboardInterrupt) as stop:
            if isinstance(stop, ImportInterrupted):
                self.kept += stop.kept
            self._plain("\n" if self.stderr.isatty() else "")
            self._plain(
                f"interrupted: {self.kept:,} records kept, run the same command again to finish\n"
            )
            return 130  # the shell's status for a command ended by Ctrl-C

    def _plain(self, text: str) -> None:
        """Standard error without Django's red, which reads as an error."""
        self.stderr.write(text, style_func=lambda line: line, ending="")
        self.stderr.flush()

    def _import(self, files: list[str]) -> int:
        status = 0
        for name in files:
            path = Path(name)
            started = time.monotonic()
            try:
                summary = import_file(path, progress=self._progress(started))
            except FileUnreadable as exc:
                self.stderr.write(f"{name}: {exc}")
                status = 2
                continue
            self.kept += summary.created + summary.updated + summary.unchanged
            if self.stderr.isatty():
                self._plain("\n")
            if not wait_until_indexed():
                raise CommandError(
                    "the search index did not catch up; run `libdesk catalog reindex`"
                )
            rate = summary.read / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{name}: {summary.line()} ({rate:,.0f} records/s)")
            if summary.rejected and status == 0:
                status = 1
            if summary.read == 0 and summary.rejected == 0:
                self.stderr.write(f"{name}: no MARC records found")
                status = 2
        return status

    def _progress(self, started: float):
        if not self.stderr.isatty():
            return None

        def show(summary: Summary) -> None:
            self._plain("\r" + progress_line(summary, time.monotonic() - started))

        return show

    def _export(self, fmt: str, output: str | None) -> None:
        """To a file, through a partial file renamed at the end, so that an export that
        fails half-way never leaves half a catalogue under the name asked for."""
        if not output:
            exporting.export(sys.stdout.buffer, fmt)
            return
        target = Path(output)
        partial = target.with_name(f".{target.name}.partial")
        try:
            with partial.open("wb") as handle:
                count = exporting.export(handle, fmt)
            partial.replace(target)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"exported {count} records to {output}")


def progress_line(summary: Summary, elapsed: float, width: int = 24) -> str:
    """`[#####...] 45%  112,000 records  3,100/s  ETA 0:41  2 rejected`"""
    filled = int(summary.fraction * width)
    rate = summary.read / max(elapsed, 1e-6)
    left = elapsed * (1 - summary.fraction) / summary.fraction if summary.fraction else 0
    minutes, seconds = divmod(int(left), 60)
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {summary.fraction:4.0%}  "
        f"{summary.read:,} records  {rate:,.0f}/s  ETA {minutes}:{seconds:02d}  "
        f"{summary.rejected} rejected"
    )
