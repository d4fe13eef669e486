"""Shared fixtures: the demo library, the shipped policy, a clean cache, the browser rule."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from tests.canaries import CARDS, PINS, STAFF_PASSWORD, give_demo_accounts_canary_secrets

CHROMIUM = os.environ.get("LIBDESK_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REPO = Path(__file__).resolve().parent.parent

hypothesis_settings.register_profile("ci", max_examples=50, deadline=None)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile("ci" if IN_CI else "dev")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The secret scan runs only after a whole run, on that run's files (`./dev test` runs it).
    Browser tests need Debian's Chromium. In CI its absence fails them; elsewhere they are
    marked as not run, and the summary says so plainly."""
    if not os.environ.get("LIBDESK_SECRET_SCAN"):
        scans = [item for item in items if "secret_scan" in item.keywords]
        if scans:
            config.hook.pytest_deselected(items=scans)
            items[:] = [item for item in items if "secret_scan" not in item.keywords]
    if chromium_available() or IN_CI:
        return
    reason = f"browser tests NOT RUN: Chromium not found at {CHROMIUM}"
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not chromium_available():
        terminalreporter.write_line(
            f"NOTE: browser tests were NOT run: Chromium not found at {CHROMIUM} "
            "(apt-get install -y chromium).",
            red=True,
        )


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_library(db):
    """The demo library, loaded through the same loader `libdesk demo load` uses."""
    from libdesk.demo.loader import load_demo

    load_demo(with_catalogue=False)
    give_demo_accounts_canary_secrets()
    from libdesk.library.models import Library

    return Library.objects.get()


@pytest.fixture
def demo_catalogue(db):
    """The whole demo library, with its ~2,000 records and their items, indexed."""
    from libdesk.demo.loader import load_demo

    load_demo()
    give_demo_accounts_canary_secrets()


@pytest.fixture
def policy_file() -> Path:
    from libdesk.demo.loader import POLICY_FILE

    return POLICY_FILE


@pytest.fixture(autouse=True)
def _tasks_run_at_once_and_mail_stays_in_memory(settings):
    """Background tasks run when enqueued; sent mail lands in django.core.mail.outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path):
    """Each test writes its own search index."""
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_DIR": tmp_path / "search"}


# The demo's accounts, with canary PINs and password in place of the published ones
# (tests/canaries.py: a secret found in a log or a file can only have leaked from a test).
DEMO_PASSWORD = STAFF_PASSWORD
AVERY, BEATRICE, JORDAN, SAM = CARDS


@pytest.fixture
def staff_client(demo_library):
    """A browser session of a demo staff member signed in at a workstation."""
    from django.test import Client

    def sign_in(username: str = "clerk", workstation: str = "MAIN-DESK-1") -> Client:
        client = Client()
        response = client.post(
            "/staff/sign-in/",
            {"username": username, "password": DEMO_PASSWORD, "workstation": workstation},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        if response["Location"] == "/staff/sign-in/code/":  # privacy officer, administrator
            response = client.post("/staff/sign-in/code/", {"code": demo_code(username)})
            assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return sign_in


def demo_code(username: str) -> str:
    """The demo authenticator's code for a time step no sign-in has used yet (a code is good
    once), as `libdesk demo code` would print it a little later."""
    import pyotp

    from libdesk.accounts.models import SecondFactor
    from libdesk.core import clock
    from libdesk.demo.loader import DEMO_TOTP_SECRET

    factor = SecondFactor.objects.get(staff__username=username)
    step = int(clock.now().timestamp()) // 30
    if factor.last_step is not None and step <= factor.last_step:
        step = factor.last_step + 1  # within the one step of drift a code is accepted for
    return pyotp.TOTP(DEMO_TOTP_SECRET).at(step * 30)


@pytest.fixture
def staff_token(demo_library):
    """A bearer token for a demo staff member, issued as `libdesk tokens create` does."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.api.tokens import issue_staff_token

    def issue(username: str = "clerk", workstation: str = "MAIN-DESK-1") -> str:
        staff = StaffUser.objects.get(username=username)
        return issue_staff_token(staff, Workstation.objects.get(name=workstation)).bearer

    return issue


@pytest.fixture
def patron_token(client, demo_library):
    """A patron's bearer token, from POST /api/v1/auth/patron."""

    def sign_in(card: str = AVERY) -> str:
        response = client.post(
            "/api/v1/auth/patron",
            {"patron_card": card, "pin": PINS[card]},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        return response.json()["token"]

    return sign_in


@pytest.fixture
def serving(client):
    """A staff client opening a serving context on a presented card, as the desk does; gives
    the headers that make later API calls about that patron."""

    def open_context(token: str, card: str = AVERY) -> dict[str, str]:
        response = client.post(
            "/api/v1/serving",
            {"patron_card": card, "basis": "card_presented"},
            content_type="application/json",
            **bearer(token),
        )
        assert response.status_code == 201, response.content
        return {**bearer(token), "HTTP_X_SERVING_CONTEXT": response.json()["id"]}

    return open_context


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
