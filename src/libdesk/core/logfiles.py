"""libdesk's log files: one per day, kept for LOG_RETENTION_DAYS, readable by their owner only.

Logs hold addresses, paths and times of requests: patron data in a wide sense, so they are
bounded like every other store (PRIVACY.md, retention) and `libdesk privacy purge` reaches
them. One file per day, named by its date, lets every process of one installation (the web
server, the worker, the daily jobs) append to the same file without a rotation step that two
processes could race over: a process opens the next day's file when its first line of that day
comes, and the purge deletes whole days. Secrets (PINs, passwords, tokens, session ids, card
numbers) are never logged: the test suite logs at DEBUG to such files and scans them.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

NAME = re.compile(r"^libdesk-(\d{4}-\d{2}-\d{2})\.log$")
LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{4,}([0-9]{4})(?![0-9])")
# Paths whose last part is a secret that works on its own (a registration's cancel link, a
# newsletter's unsubscribe link, the private link to a question's answer): Django logs the
# path of every refused request.
SECRET_PATH = re.compile(
    r"(/events/cancel/|/newsletter/unsubscribe/|/ask-why/answer/|/ask-a-librarian/answer/"
    r"|/reference/asked/)[^/\s\"']+"
)


def mask(text: str) -> str:
    """`text` with long numbers cut to their last four digits and private links' secrets cut
    off: what every log line, plain or JSON, goes through."""
    return LONG_NUMBER.sub(r"…\1", SECRET_PATH.sub(r"\1…", text))


class MaskingFormatter(logging.Formatter):
    """Every log line with long numbers masked to their last four digits (`…0001`): item
    barcodes and card numbers are eight digits or more (PRIVACY.md: barcodes in logs are
    masked), and a line some library or a future change writes with one still keeps none.
    Ids, counts, times and process numbers are shorter and stay readable. The secret part of
    a private link (a cancel or unsubscribe link, a question's answer link) is cut off."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class RefusalsInOneLine(logging.Filter):
    """A 403 is an answer, not a fault: its record keeps its one line ("Forbidden (Permission
    denied): /staff/...") and drops the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


class DailyLogFile(logging.Handler):
    """Appends each record to `<directory>/libdesk-YYYY-MM-DD.log` (the record's local date)."""

    def __init__(self, directory: str, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.directory = Path(directory)
        self._day: str | None = None
        self._stream: TextIO | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            day = date.fromtimestamp(record.created).isoformat()
            if day != self._day or self._stream is None:
                self._open(day)
            self._stream.write(self.format(record) + "\n")
            self._stream.flush()
        except Exception:  # a full disk must not stop the desk: logging's own error path
            self.handleError(record)

    def _open(self, day: str) -> None:
        self._close_stream()
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.directory / f"libdesk-{day}.log"
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._stream = os.fdopen(descriptor, "a", encoding="utf-8")
        self._day = day

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        self.acquire()
        try:
            self._close_stream()
        finally:
            self.release()
        super().close()


def purge_old_logs() -> int:
    """Delete the day files older than LOG_RETENTION_DAYS; answers how many were deleted."""
    directory = settings.LOG_DIR
    if directory is None or not directory.is_dir():
        return 0
    oldest_kept = date.today() - timedelta(days=settings.LIBDESK["LOG_RETENTION_DAYS"])
    deleted = 0
    for path in directory.iterdir():
        match = NAME.match(path.name)
        if match and date.fromisoformat(match[1]) < oldest_kept:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def register_store() -> None:
    from libdesk.core.retention import Store, register_store

    register_store(
        Store(
            name="core.log_files",
            label=_("Log files"),
            text=_(
                "What the system did and when, with the network address of each request; "
                "never a PIN, password, card number or what anyone borrowed."
            ),
            purge=purge_old_logs,
            setting="LOG_RETENTION_DAYS",
        )
    )
