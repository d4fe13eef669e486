"""Guesses that arrive at once each take a place in the count before their secret is checked:
however many come together, no more than the threshold are checked before the lock."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from libdesk.core import lockout
from libdesk.core.decisions import Refused


def test_concurrent_wrong_guesses_never_get_past_the_threshold(transactional_db, settings):
    start = threading.Barrier(12)

    def slow_wrong_secret() -> bool:
        time.sleep(0.05)  # a PIN hash takes a while: the window the guesses raced through
        return False

    def guess(_n: int) -> str:
        try:
            start.wait()
            lockout.check("patron:424242", lockout.KIOSK, slow_wrong_secret)
        except Refused:
            return "refused"
        finally:
            connection.close()
        return "checked"

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(guess, range(12)))
    threshold = settings.LIBDESK["LOCKOUT_THRESHOLD"]
    assert results.count("checked") == threshold
    assert results.count("refused") == 12 - threshold
    assert lockout.locks_of("patron:424242")[0].active


def test_a_right_secret_at_the_last_try_signs_in_and_clears_the_count(db, settings):
    threshold = settings.LIBDESK["LOCKOUT_THRESHOLD"]
    for _attempt in range(threshold - 1):
        assert not lockout.check("staff:77", lockout.ONLINE, lambda: False)
    assert lockout.check("staff:77", lockout.ONLINE, lambda: True)
    for _attempt in range(threshold - 1):  # a fresh count
        assert not lockout.check("staff:77", lockout.ONLINE, lambda: False)
    assert lockout.locks_of("staff:77") == []
