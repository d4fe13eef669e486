"""`libdesk check --deploy` passes, with no warning, on the production settings the docs give
(docs/deploy/libdesk.env), and warns as soon as one of them (TLS) is left out; libdesk's own check
stands in for Django's CSRF check, which does not recognise libdesk's middleware."""

import subprocess
import sys
from pathlib import Path

import pytest

from libdesk.core.checks import check_csrf_middleware
from tests.cli.test_libdesk_command import env_for

pytestmark = [pytest.mark.slow, pytest.mark.once]

PRODUCTION_ENV = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "libdesk.env"
# The only values changed: directories on a real server, which this test may not write.
DIRECTORIES = {"LIBDESK_DATA_DIR": "data", "LIBDESK_LOG_DIR": "log"}


def production_settings(tmp_path: Path) -> dict[str, str]:
    found = {}
    for number, line in enumerate(PRODUCTION_ENV.read_text().splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            name, equals, value = line.partition("=")
            assert equals and name.startswith("LIBDESK_"), f"{PRODUCTION_ENV}:{number}: {line}"
            found[name] = value
    for name, folder in DIRECTORIES.items():
        assert found[name].startswith("/var/"), name
        found[name] = str(tmp_path / folder)
    return found


def check_deploy(settings: dict[str, str]) -> subprocess.CompletedProcess:
    env = env_for(Path(settings["LIBDESK_DATA_DIR"]))
    # Only what production has: not the test run's own switches (the browser tests allow async).
    unset = ("LIBDESK_", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in env.items() if not k.startswith(unset)} | settings
    return subprocess.run(
        [sys.executable, "-m", "libdesk", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_on_the_documented_production_settings(tmp_path):
    settings = production_settings(tmp_path)
    assert settings["LIBDESK_HTTPS"] == "1"
    done = check_deploy(settings)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stderr


def test_check_deploy_warns_without_tls(tmp_path):
    settings = production_settings(tmp_path)
    del settings["LIBDESK_HTTPS"]
    done = check_deploy(settings)
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "libdesk.W011"):
        assert warning in done.stderr  # HSTS, redirect, Secure session and CSRF cookies


def test_the_csrf_check_wants_the_middleware_and_a_secure_cookie(settings):
    settings.CSRF_COOKIE_SECURE = True
    assert check_csrf_middleware() == []
    settings.CSRF_COOKIE_SECURE = False
    assert [message.id for message in check_csrf_middleware()] == ["libdesk.W011"]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    assert [message.id for message in check_csrf_middleware()] == ["libdesk.E010"]
