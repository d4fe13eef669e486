"""Shared fixtures: the demo library, the shipped policy, a clean cache, the browser rule."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

CHROMIUM = os.environ.get("LIBDESK_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REPO = Path(__file__).resolve().parent.parent

hypothesis_settings.register_profile("ci", max_examples=50, deadline=None)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile("ci" if IN_CI else "dev")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Debian's Chromium. In CI its absence fails them; elsewhere they are
    marked as not run, and the summary says so plainly."""
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

    load_demo()
    from libdesk.library.models import Library

    return Library.objects.get()


@pytest.fixture
def policy_file() -> Path:
    from libdesk.demo.loader import POLICY_FILE

    return POLICY_FILE
