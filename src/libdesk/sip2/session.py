"""One kiosk connection's state: which terminal logged in, which patron proved their PIN, and
the last request and response (for 97 and for a retried frame). It lives in memory for the
connection only: nothing here is written anywhere (PRIVACY.md, the kiosk resend cache)."""

from __future__ import annotations

from dataclasses import dataclass

from libdesk.sip2.models import Terminal


@dataclass
class KioskSession:
    terminal: Terminal | None = None
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

    def remember(self, request: bytes, response: bytes) -> None:
        self.last_request, self.last_response = request, response
