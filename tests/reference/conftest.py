"""Ask a librarian through the API door: personas (a second librarian, Robin, beside the demo's
librarian and Head Librarian), an asker, and a stand-in for the answer checker so that a test
decides what it flags (tests/reference/test_checker*.py test the real one)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import DEMO_PASSWORD, bearer


@dataclass(frozen=True)
class Flag:
    kind: str
    match: str
    clause: str = "OP-02-01-01/facts-not-opinions"
    why: str = "an opinion"


@dataclass(frozen=True)
class StubFindings:
    flags: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@pytest.fixture
def checker(monkeypatch):
    """The answer check, as the test says: `checker.flag("recommendation", "the best")`."""

    class Stub:
        findings = StubFindings()
        seen: list[tuple[str, str]] = []

        def flag(self, kind: str, match: str) -> None:
            self.findings = StubFindings([Flag(kind, match)])

        def __call__(self, text: str, language: str):
            self.seen.append((text, language))
            return self.findings

    stub = Stub()
    monkeypatch.setattr("libdesk.reference.services.check_answer", stub)
    return stub


@pytest.fixture
def robin(demo_library):
    """A second librarian."""
    from libdesk.accounts.models import StaffUser

    return StaffUser.objects.create_user(username="robin", password=DEMO_PASSWORD, role="librarian")


class Desk:
    """API calls as the personas: `desk.get("librarian", "/reference/queue")`."""

    def __init__(self, client: Client, staff_token, patron_token) -> None:
        self.client, self._staff, self._patron = client, staff_token, patron_token
        self.tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        if who not in self.tokens:
            self.tokens[who] = self._staff(who) if not who.isdigit() else self._patron(who)
            cache.clear()
        return self.tokens[who]

    def _auth(self, who: str | None) -> dict:
        return bearer(self.token(who)) if who else {}

    def get(self, who: str | None, path: str):
        return self.client.get(f"/api/v1{path}", **self._auth(who))

    def post(self, who: str | None, path: str, body: dict | None = None):
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", **self._auth(who)
        )

    def ask(self, text: str = "How old is the town hall?", who: str | None = None, **fields):
        response = self.post(who, "/reference/questions", {"text": text, **fields})
        assert response.status_code == 201, response.content
        cache.clear()  # the anonymous form's per-address count
        return response.json()

    def claimed(self, who: str = "librarian", **fields) -> int:
        asked = self.ask(**fields)
        response = self.post(who, f"/reference/questions/{asked['id']}/claim")
        assert response.status_code == 200, response.content
        return asked["id"]


@pytest.fixture
def desk(client, staff_token, patron_token) -> Desk:
    return Desk(client, staff_token, patron_token)


def key_of(private_link: str) -> str:
    return private_link.rstrip("/").rsplit("/", 1)[1]
