"""Where the library's e-mail goes, and what happens when it has nowhere to go.

Notices and receipts carry a patron's address and, when the library's terms say so, titles.
With a mail server (LIBDESK_SMTP_HOST) they are sent. Without one, a real library sends no
mail at all: keeping each message as a file "for later" kept every address and title under the
data directory for ever (issue 12). Only the demo library writes its mail to files, so that
someone trying libdesk can read the notices it would send; those files are readable by the
data directory's owner alone and deleted after DEMO_MAIL_RETENTION_DAYS (`libdesk privacy
purge` and the daily jobs). `libdesk run` says at start-up which of the three applies, and
the staff home says so while no mail goes out.
"""

from __future__ import annotations

import logging
import time
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.utils.translation import gettext_lazy as _

from libdesk.library.selectors import the_library

log = logging.getLogger(__name__)

BACKEND = "libdesk.library.mail.LibraryMailBackend"


class Delivery(StrEnum):
    SERVER = "server"  # a mail server (or a test's outbox) takes every message
    DEMO_FILES = "demo_files"  # the demo library: files under <data dir>/mail, kept briefly
    NONE = "none"  # no mail server: nothing is sent, notices go on the call list


def delivery() -> Delivery:
    """How mail leaves this installation now (the library row decides demo or not)."""
    if settings.EMAIL_BACKEND != BACKEND:
        return Delivery.SERVER
    library = the_library()
    return Delivery.DEMO_FILES if library is not None and library.is_demo else Delivery.NONE


def sends_mail() -> bool:
    """Whether a message handed over now reaches someone (or the demo's files)."""
    return delivery() != Delivery.NONE


def mail_folder() -> Path:
    return Path(settings.DATA_DIR) / "mail"


class LibraryMailBackend(BaseEmailBackend):
    """The backend used when no mail server is configured: the demo's files, or nothing."""

    def send_messages(self, email_messages) -> int:
        messages = list(email_messages or [])
        if not messages:
            return 0
        if delivery() != Delivery.DEMO_FILES:
            # The count only: an address or a subject here would be kept in the logs instead.
            log.info("No mail server is configured: %d message(s) not sent", len(messages))
            return 0
        folder = mail_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # one file per batch; only the data directory's owner reads them
        files = FileBackend(file_path=str(folder), fail_silently=self.fail_silently)
        return files.send_messages(messages)


def purge_mail_files() -> int:
    """Delete the demo's mail files past DEMO_MAIL_RETENTION_DAYS, and, for a real library,
    every file left in the mail folder (written by an earlier libdesk that kept unsent mail).
    Answers how many files were deleted; safe to run again at any time."""
    folder = mail_folder()
    if not folder.is_dir():
        return 0
    keep_days = settings.LIBDESK["DEMO_MAIL_RETENTION_DAYS"]
    cutoff = time.time() - keep_days * 86400 if delivery() == Delivery.DEMO_FILES else None
    deleted = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and (cutoff is None or path.stat().st_mtime < cutoff):
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # another purge got there first
            continue
    return deleted


def startup_line() -> str:
    """What `libdesk run` says about mail when it starts."""
    match delivery():
        case Delivery.SERVER:
            host = getattr(settings, "EMAIL_HOST", "the configured backend")
            return f"Mail goes out through {host}."
        case Delivery.DEMO_FILES:
            days = settings.LIBDESK["DEMO_MAIL_RETENTION_DAYS"]
            return (
                f"Demo library: mail is written to files in {mail_folder()} (readable by this "
                f"user only) and deleted after {days} day(s)."
            )
    return (
        "No mail server is configured (set LIBDESK_SMTP_HOST): libdesk sends no mail. Notices "
        "for every patron go on the staff's call list instead."
    )


def register_store() -> None:
    from libdesk.core.retention import Store, register_store

    register_store(
        Store(
            name="library.mail_files",
            label=_("Copies of e-mail (demo libraries only)"),
            text=_(
                "A library with a mail server keeps no copy of the notices it sends; without "
                "one it sends none. Only a demo library keeps its e-mail as files, briefly."
            ),
            purge=purge_mail_files,
            setting="DEMO_MAIL_RETENTION_DAYS",
        )
    )
