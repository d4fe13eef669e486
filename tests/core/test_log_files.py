"""Log files (LIBDESK_LOG_DIR): one per day, readable by their owner only, deleted past
LIBDESK_LOG_RETENTION_DAYS by the daily jobs."""

from __future__ import annotations

import logging
import stat
from datetime import date, timedelta

from django.core.management import call_command

from libdesk.core.logfiles import DailyLogFile, MaskingFormatter


def test_every_record_lands_in_its_days_file_readable_by_the_owner_only(tmp_path):
    handler = DailyLogFile(str(tmp_path / "logs"))
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    today = logging.LogRecord("libdesk.x", logging.DEBUG, __file__, 1, "today %s", (1,), None)
    yesterday = logging.LogRecord("libdesk.x", logging.INFO, __file__, 1, "before", (), None)
    yesterday.created -= 86400
    handler.handle(yesterday)
    handler.handle(today)
    handler.close()
    files = {path.name: path for path in (tmp_path / "logs").iterdir()}
    day = date.fromtimestamp(today.created)
    assert set(files) == {f"libdesk-{day - timedelta(days=1)}.log", f"libdesk-{day}.log"}
    assert files[f"libdesk-{day}.log"].read_text() == "DEBUG today 1\n"
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files.values())
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700


def test_the_daily_jobs_delete_the_days_past_retention(tmp_path, settings, db):
    settings.LOG_DIR = tmp_path
    settings.LIBDESK = {**settings.LIBDESK, "LOG_RETENTION_DAYS": 30}
    today = date.today()
    kept = [tmp_path / f"libdesk-{today - timedelta(days=n)}.log" for n in (0, 30)]
    gone = [tmp_path / f"libdesk-{today - timedelta(days=n)}.log" for n in (31, 400)]
    other = tmp_path / "notes.txt"  # not a libdesk day file: never touched
    for path in [*kept, *gone, other]:
        path.write_text("x\n")
    call_command("circulation", "run-jobs")
    assert all(path.exists() for path in [*kept, other])
    assert not any(path.exists() for path in gone)


def test_barcodes_and_card_numbers_are_masked_in_every_line(tmp_path):
    from django.conf import settings

    handler = DailyLogFile(str(tmp_path))
    stamped = settings.LOGGING["formatters"]["stamped"]
    handler.setFormatter(MaskingFormatter(stamped["format"]))
    logger = logging.getLogger("libdesk.test.masking")
    logger.addHandler(handler)
    try:
        logger.warning("item %s for card %s: loan 42 in 2026", "31000000000001", "29000000000010")
        try:
            raise ValueError("no item 31000000000777")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = next(tmp_path.iterdir()).read_text()
    assert "item …0001 for card …0010: loan 42 in 2026" in text
    assert "no item …0777" in text  # the traceback's message too
    assert "31000000000001" not in text and "29000000000010" not in text
    assert stamped["()"] == "libdesk.core.logfiles.MaskingFormatter"
    assert settings.LOGGING["formatters"]["plain"]["()"] == stamped["()"]


def test_a_private_links_secret_is_cut_from_logged_paths(client, db):
    """Django logs the path of a refused request (here a POST without its CSRF cookie): the
    cancel or unsubscribe link's secret, which works on its own, never reaches the log."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(MaskingFormatter("%(message)s").format(record))

    handler = Keep()
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    try:
        client.handler.enforce_csrf_checks = True
        secret = "ssYgsS5pUOInbsoCj19QTaIO1gvL0v4x"
        client.post(f"/events/cancel/{secret}/")
        client.post(f"/newsletter/unsubscribe/{secret}/")
    finally:
        logger.removeHandler(handler)
    assert any("/events/cancel/…" in line for line in records), records
    assert all(secret not in line for line in records)
