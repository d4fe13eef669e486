"""Retention (issue 12, deliverable 5): every period is a setting with a documented default,
listed on a public page as configured now. `libdesk privacy purge` applies them:
tests/circulation/test_retention_purge.py and test_retention_kill.py."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from libdesk.core import patron_data, retention

pytestmark = pytest.mark.django_db


def test_the_public_page_lists_every_period_as_configured_now(client, demo_library, settings):
    changed = {"LOG_RETENTION_DAYS": 9, "CLOSED_REQUEST_RETENTION_DAYS": 1}
    settings.LIBDESK = {**settings.LIBDESK, **changed}
    page = client.get("/how-long-we-keep-information/")
    assert page.status_code == 200
    text = page.content.decode()
    for name in [name for name in settings.LIBDESK if "RETENTION" in name]:
        assert f"LIBDESK_{name}" in text, f"{name} is a retention period the page does not list"
    for kind in patron_data.kinds():
        assert escape(str(kind.label)) in text
    for store in retention.stores():
        assert escape(str(store.label)) in text
    assert "9 days" in text and "1 day" in text
    assert 'href="/how-long-we-keep-information/"' in client.get("/").content.decode()


def test_the_page_is_in_french_too(client, demo_library):
    page = client.get("/how-long-we-keep-information/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Combien de temps nous gardons" in page.content.decode()
