"""One kiosk connection's state: which terminal logged in, which patron proved their PIN, and
the last request and response (for 97 and for a retried frame). It lives in memory for the
connection only: nothing here is written anywhere (PRIVACY.md, the kiosk resend cache)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from libdesk.sip2.models import Terminal

RECHECK_SECONDS = 1.0


@dataclass
class KioskSession:
    address: str = ""  # the kiosk's address: terminal login failures count per address
    terminal: Terminal | None = None
    password_hash: str = ""  # the terminal's at login: a new password ends the session
    failed_logins: int = 0
    checked_at: float = 0.0  # when the terminal was last read again (time.monotonic)
    # The one patron who proved their PIN on this connection: a kiosk serves one person at a
    # time, so verifying another card (or a wrong PIN, or 35) ends the previous one's.
    patron_id: int | None = None
    last_request: bytes | None = None
    last_response: bytes | None = None

    @property
    def encoding(self) -> str:
        return self.terminal.encoding if self.terminal else "utf-8"

    @property
    def error_detection(self) -> bool:
        return bool(self.terminal and self.terminal.error_detection)

    def forget_patron(self) -> None:
        self.patron_id = None

    def log_in(self, terminal: Terminal) -> None:
        self.log_out()
        self.terminal, self.password_hash = terminal, terminal.password_hash
        self.checked_at = time.monotonic()

    def log_out(self) -> None:
        """The terminal and everything it was told go: a later 97 or retry gets 96."""
        self.terminal, self.password_hash = None, ""
        self.forget_patron()
        self.last_request = self.last_response = None

    def still_allowed(self) -> bool:
        """Read the terminal again (at most once a second: reading it for every message cost
        a quarter of a checkout): disabled, or given a new password, since it logged in ends
        the session; other changes apply from then on."""
        if self.terminal is None:
            return False
        now = time.monotonic()
        if now - self.checked_at < RECHECK_SECONDS:
            return True
        self.checked_at = now
        terminal = Terminal.objects.select_related("branch").filter(pk=self.terminal.pk).first()
        if terminal is None or not terminal.enabled or terminal.password_hash != self.password_hash:
            self.log_out()
            return False
        self.terminal = terminal
        return True

    def remember(self, request: bytes, response: bytes) -> None:
        self.last_request, self.last_response = request, response
