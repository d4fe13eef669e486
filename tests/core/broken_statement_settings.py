"""libdesk's settings plus an app declaring a broken statement (test_statement_registry.py)."""

from libdesk.settings import *  # noqa: F403
from libdesk.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.core.broken_statement_app"]
