"""One kiosk connection's state: which terminal logged in, which patron proved their PIN, and
the last request and response (for 97 and for a retried frame). It lives in memory for the
connection only: nothing here is written anywhere (PRIVACY.md, the kiosk resend cache)."""

from __future__ import annotations

from dataclasses import dataclass

from libdesk.sip2.models import Terminal


@dataclass
class KioskSession:
    address: str = ""  # the kiosk's address: terminal login failures count per address
    terminal: Terminal | None = None
    password_hash: str = ""  # the terminal's at login: a new password ends the session
    failed_logins: int = 0
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

    def log_out(self) -> None:
        """The terminal and everything it was told go: a later 97 or retry gets 96."""
        self.terminal, self.password_hash = None, ""
        self.forget_patron()
        self.last_request = self.last_response = None

    def still_allowed(self) -> bool:
        """Read the terminal again: disabled, or given a new password, since it logged in
        ends the session (what a kiosk may do follows its settings from the next message)."""
        if self.terminal is None:
            return False
        self.terminal.refresh_from_db()
        if not self.terminal.enabled or self.terminal.password_hash != self.password_hash:
            self.log_out()
            return False
        return True

    def remember(self, request: bytes, response: bytes) -> None:
        self.last_request, self.last_response = request, response
