"""Where mail goes without a mail server (issue 12): a real library sends none and keeps none,
and its staff are told; the demo library writes files only its owner reads, deleted in days."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from django.core.management import call_command

from libdesk.circulation import services
from libdesk.circulation.models import NoticeSent
from libdesk.core import clock
from libdesk.library.models import Library
from tests.conftest import AVERY, SAM

START = clock.now().replace(year=2026, month=3, day=2, hour=10)


@pytest.fixture
def no_server(settings, tmp_path):
    """No LIBDESK_SMTP_HOST: the backend settings.py chooses then, with a data dir of its own."""
    settings.EMAIL_BACKEND = "libdesk.library.mail.LibraryMailBackend"
    settings.DATA_DIR = tmp_path
    return tmp_path / "mail"


def overdue_for_avery(shelf, desk, patron):
    copy = shelf.copy(shelf.record("A title nobody else should read"))
    with clock.travel_to(START):
        loan = services.checkout(desk(), patron(AVERY), copy.barcode).loan
    return loan


def test_a_real_library_without_a_mail_server_sends_and_keeps_no_mail(
    shelf, desk, patron, no_server, demo_library, staff_client, sent
):
    Library.objects.update(is_demo=False)
    loan = overdue_for_avery(shelf, desk, patron)
    with clock.travel_to(loan.due + timedelta(days=2)), sent():
        call_command("circulation", "run-jobs")
    assert not no_server.exists()  # nothing written anywhere for later
    assert not NoticeSent.objects.filter(object_id=loan.pk).exists()  # nothing claims it went
    with clock.travel_to(loan.due + timedelta(days=2)):
        page = staff_client("clerk").get("/staff/call-list/").content.decode()
    assert "No mail server is configured" in page
    assert patron(AVERY).name in page  # Avery has an address, but no mail can reach her
    home = staff_client("clerk").get("/staff/").content.decode()
    assert "No e-mail is being sent" in home and "LIBDESK_SMTP_HOST" in home


def test_with_a_mail_server_the_staff_home_says_nothing_and_the_list_keeps_to_phones(
    shelf, desk, patron, demo_library, staff_client, sent
):
    Library.objects.update(is_demo=False)
    loan = overdue_for_avery(shelf, desk, patron)
    with clock.travel_to(loan.due + timedelta(days=2)), sent():
        call_command("circulation", "run-jobs")
        page = staff_client("clerk").get("/staff/call-list/").content.decode()
    assert NoticeSent.objects.filter(object_id=loan.pk, kind="overdue").exists()
    assert "No mail server is configured" not in page and patron(AVERY).name not in page
    assert "No e-mail is being sent" not in staff_client("clerk").get("/staff/").content.decode()


def test_the_demo_writes_mail_only_its_owner_reads_and_deletes_it_within_days(
    shelf, desk, patron, no_server, demo_library, sent, settings
):
    loan = overdue_for_avery(shelf, desk, patron)
    with clock.travel_to(loan.due + timedelta(days=2)), sent():
        call_command("circulation", "run-jobs")
    files = list(no_server.iterdir())
    assert len(files) == 1 and "A title nobody else should read" in files[0].read_text()
    assert stat.S_IMODE(no_server.stat().st_mode) == 0o700
    call_command("circulation", "run-jobs")  # the daily purge keeps what is young
    assert files[0].exists()
    days = settings.LIBDESK["DEMO_MAIL_RETENTION_DAYS"]
    old = clock.now().timestamp() - (days * 86400 + 60)
    os.utime(files[0], (old, old))
    call_command("circulation", "run-jobs")
    assert not files[0].exists()


def test_mail_an_earlier_libdesk_kept_is_deleted_once_the_library_is_real(no_server, demo_library):
    Library.objects.update(is_demo=False)
    no_server.mkdir()
    (no_server / "20260101-000000-1.log").write_text("To: avery@example.org\n")
    call_command("circulation", "run-jobs")
    assert list(no_server.iterdir()) == []


def test_the_phone_only_patron_stays_on_the_list_whichever_way_mail_goes(
    shelf, desk, patron, no_server, demo_library, staff_client
):
    copy = shelf.copy(shelf.record("Phone reading"))
    with clock.travel_to(START):
        loan = services.checkout(desk(), patron(SAM), copy.barcode).loan
    Library.objects.update(is_demo=False)
    with clock.travel_to(loan.due + timedelta(days=2)):
        page = staff_client("clerk").get("/staff/call-list/").content.decode()
    assert patron(SAM).name in page
