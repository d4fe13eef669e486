"""Fixtures for what kiosks leave for the desk: a shelf, the demo kiosk's own desk (as the
SIP2 server acts), a clerk's desk, and a clerk's browser serving a patron."""

from __future__ import annotations

import pytest

from tests.circulation.conftest import Shelf
from tests.conftest import AVERY


@pytest.fixture
def shelf(demo_library) -> Shelf:
    return Shelf()


@pytest.fixture
def kiosk_desk(demo_library):
    """The demo's kiosk terminal acting, as the SIP2 server's handlers make it act."""
    from libdesk.audit.actors import Actor
    from libdesk.audit.models import ActorKind
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.models import Via
    from libdesk.sip2.models import Terminal

    terminal = Terminal.objects.select_related("branch").get(login="kiosk")
    actor = Actor(
        ActorKind.TERMINAL, str(terminal.pk), "terminal", terminal.login, terminal.branch.code
    )
    return Desk(actor, terminal.branch, Via.KIOSK)


@pytest.fixture
def clerk_desk(demo_library):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.circulation.desk import Desk

    return Desk.staff_at(
        StaffUser.objects.get(username="clerk"), Workstation.objects.get(name="MAIN-DESK-1")
    )


@pytest.fixture
def serve(staff_client):
    """A clerk's browser serving the patron of this card; gives the browser and the serving
    page's address."""

    def open_context(card: str = AVERY, username: str = "clerk"):
        browser = staff_client(username)
        response = browser.post("/staff/desk/card/", {"card": card})
        assert response.status_code == 302, response.content[:500]
        return browser, response["Location"]

    return open_context
