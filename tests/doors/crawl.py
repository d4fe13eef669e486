"""What the door matrix and the page crawls share: every named web route with its pattern, the
world they visit (objects belonging to Avery, the patron, and every persona signed in), and the
URL that fills a route's pattern with that world's objects for a persona.

The door matrix (tests/privacy/test_door_matrix.py) tries every route as every persona; the
crawls (tests/web/test_pseudo_locale.py, tests/browser/test_accessibility_crawl.py) visit one
URL per route, as the persona that sees the real page.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.circulation.conftest import Shelf
from tests.conftest import AVERY, BEATRICE, DEMO_PASSWORD, JORDAN, PINS, SAM, demo_code


def web_routes() -> dict[str, str]:
    """Every named web route (admin routes as one row), with its pattern."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str = "", namespace: str = "") -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and not prefix.startswith("api/"):
                key = (
                    "admin:*" if namespace.startswith("admin:") else namespace + (entry.name or "")
                )
                found.setdefault(key, prefix + str(entry.pattern))

    walk(get_resolver().url_patterns)
    return found


# --- The world every persona visits ------------------------------------------------------


@dataclass
class World:
    values: dict[str, object]
    browsers: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, str] = field(default_factory=dict)  # persona -> its serving context


def _staff_browser(username: str) -> Client:
    browser = Client()
    response = browser.post(
        "/staff/sign-in/",
        {"username": username, "password": DEMO_PASSWORD, "workstation": "MAIN-DESK-1"},
    )
    if response["Location"] == "/staff/sign-in/code/":
        response = browser.post("/staff/sign-in/code/", {"code": demo_code(username)})
    assert response.status_code == 302, response.content[:500]
    cache.clear()  # sign-ins count against the form's per-address limit
    return browser


def _patron_browser(card: str) -> Client:
    browser = Client()
    assert browser.post("/account/sign-in/", {"card": card, "pin": PINS[card]}).status_code == 302
    cache.clear()
    return browser


def _open_context(browser: Client, card: str = AVERY) -> str:
    response = browser.post("/staff/desk/card/", {"card": card})
    return response["Location"].rstrip("/").rsplit("/", 1)[1]


def _third_party_request(clerk) -> int:
    from libdesk.accounts.models import Workstation
    from libdesk.privacy import disclosures
    from libdesk.privacy.models import DisclosureRequest

    details = disclosures.RequestDetails("employer", "An employer", "Avery", "Her loans")
    station = Workstation.objects.get(name="MAIN-DESK-1")
    disclosures.record_request(clerk, station, details, uuid.uuid4())
    return DisclosureRequest.objects.get().pk


def _sam_shares_his_history_with_jordan() -> None:
    from libdesk.access.purposes import Access
    from libdesk.patrons.models import Patron
    from libdesk.patrons.services import set_consents

    sam = Patron.objects.get(card_number=SAM)
    choices = {"reading_history": True, "guardian_visibility": True}
    set_consents(Access.own(sam.pk), choices, channel="web")


def _reference_question_claimed_by_the_librarian(avery):
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.reference import services as reference

    asked, key = reference.ask(
        "web", "Where are the town's old maps?", "local_history",
        patron_id=avery.pk, link_to_patron=True,
    )  # fmt: skip
    station = Workstation.objects.get(name="MAIN-DESK-1")
    reference.claim(StaffUser.objects.get(username="librarian"), station, asked.pk)
    return asked, key


def _newsletter_issue() -> int:
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.outreach import services as outreach

    issue = outreach.compose_issue(
        StaffUser.objects.get(username="librarian"),
        Workstation.objects.get(name="MAIN-DESK-1"),
        title_en="News",
        title_fr="Nouvelles",
        sections=["news"],
    )
    return issue.pk


def _avery_registered_for_a_program(avery):
    from libdesk.accounts.models import StaffUser
    from libdesk.core import clock
    from libdesk.programs import services as programs

    librarian = StaffUser.objects.get(username="librarian")
    starts = clock.now() + timedelta(days=5)
    details = programs.EventDetails(
        title_en="Map workshop", audience="adults", branch="MAIN", organizer_id=librarian.pk,
        starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5,
    )  # fmt: skip
    event = programs.create_event(librarian, None, details)
    registered = programs.register(event.pk, programs.Registrant(patron_id=avery.pk))
    return event, registered


def _averys_saved_list(avery, record):
    from libdesk.access.purposes import Access
    from libdesk.catalog import saved_lists

    made = saved_lists.create_list(Access.own(avery.pk), "To read")
    saved_lists.add_record(Access.own(avery.pk), made.pk, record.pk)
    return made


def build_world() -> World:
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.api.tokens import issue_staff_token
    from libdesk.catalog.models import Item
    from libdesk.circulation import services
    from libdesk.circulation.desk import Desk
    from libdesk.circulation.models import LoanRule
    from libdesk.feedback.services import leave_comment
    from libdesk.library.models import Branch, ClosedDay
    from libdesk.outreach.links import unsubscribe_token
    from libdesk.patrons.models import Patron
    from libdesk.policies import questions
    from libdesk.reference.models import ConsumerSource
    from libdesk.sip2.models import Terminal

    shelf = Shelf()
    record, wanted = shelf.record("On loan to Avery"), shelf.record("Held by Avery")
    item = shelf.copy(record)
    shelf.copy(wanted, status="on_loan")
    travelling = shelf.copy(record, status="in_transit")  # a copy with a transit slip
    Item.objects.filter(pk=travelling.pk).update(in_transit_to=Branch.objects.get(code="KEEW"))
    clerk = StaffUser.objects.get(username="clerk")
    desk = Desk.staff_at(clerk, Workstation.objects.get(name="MAIN-DESK-1"))
    avery = Patron.objects.get(card_number=AVERY)
    loan = services.checkout(desk, avery, item.barcode).loan
    hold, _ = services.place_hold(desk, avery, pickup_branch=desk.branch, record=wanted)
    made, _ = services.submit_request(
        desk, avery, kind="purchase", pickup_branch=desk.branch, title="Wished for"
    )
    question, key = questions.ask("OP-02-01-01/policies-explained", "Why is this so?")
    asked, asker_key = _reference_question_claimed_by_the_librarian(avery)
    comment = leave_comment("The new hours suit me.", "general", patron_id=avery.pk, sign=True)
    _sam_shares_his_history_with_jordan()
    program, registered = _avery_registered_for_a_program(avery)
    averys_list = _averys_saved_list(avery, record)
    StaffUser.objects.create_user(username="gone", password=DEMO_PASSWORD, role="clerk")
    world = World(
        values={
            "record_id": record.pk,
            "item_id": item.pk,
            "hold_id": hold.pk,
            "loan_id": loan.pk,
            "request_id": made.pk,
            "question_id": question.pk,
            "key": key,
            "number": "OP-02-01-01",
            "version": 1,
            "rule_id": LoanRule.objects.first().pk,
            "pk": ClosedDay.objects.first().pk,
            "kind": "closed",
            "user_id": StaffUser.objects.get(username="librarian").pk,
            "barcode": item.barcode,
            "copy": travelling.barcode,
            "list_id": averys_list.pk,
            "child_id": Patron.objects.get(card_number=SAM).pk,
            "entry_id": _third_party_request(clerk),
            "reference_id": asked.pk,
            "source_id": ConsumerSource.objects.first().pk,
            "asker_key": asker_key,
            "comment_id": comment.pk,
            "head_id": StaffUser.objects.get(username="head").pk,
            "terminal_id": Terminal.objects.get(login="kiosk").pk,  # the demo's kiosk
            "token": unsubscribe_token(avery.pk),
            "issue_id": _newsletter_issue(),
            "event_id": program.pk,
            "registration_id": registered.registration.pk,
            "cancel_token": registered.cancel_token,
        }
    )
    for persona, card in (
        ("patron", AVERY),
        ("another patron", BEATRICE),
        ("guardian", JORDAN),
        ("child", SAM),
    ):
        world.browsers[persona] = _patron_browser(card)
        response = Client().post(
            "/api/v1/auth/patron",
            {"patron_card": card, "pin": PINS[card]},
            content_type="application/json",
        )
        world.tokens[persona] = response.json()["token"]
        cache.clear()
    station = Workstation.objects.get(name="MAIN-DESK-1")
    staff = {
        "clerk serving": "clerk",
        "clerk not serving": "clerk",
        "librarian": "librarian",
        "head librarian": "head",
        "privacy officer": "privacy",
        "administrator": "admin",
        "disabled staff": "gone",
    }
    for persona, username in staff.items():
        world.browsers[persona] = _staff_browser(username)
        world.tokens[persona] = issue_staff_token(
            StaffUser.objects.get(username=username), station
        ).bearer
    for persona in ("clerk serving", "librarian", "head librarian"):
        world.contexts[persona] = _open_context(world.browsers[persona])
    ended = _open_context(world.browsers["clerk not serving"])
    world.browsers["clerk not serving"].post(f"/staff/serving/{ended}/end/")
    world.contexts["clerk not serving"] = ended
    for persona in ("privacy officer", "administrator", "disabled staff"):
        world.contexts[persona] = world.contexts["clerk serving"]  # someone else's
    world.browsers["anonymous"] = Client()
    gone = StaffUser.objects.get(username="gone")
    admin = StaffUser.objects.get(username="admin")
    from libdesk.accounts.services import set_active

    set_active(admin, station, gone, False)
    return world


# --- URLs --------------------------------------------------------------------------------

SLUGS = {
    "patrons:act": "end",
    "circulation:loan-action": "renew",
    "circulation:account-act": "suspend-hold",
    "catalog:list-act": "rename",
    "questions:act": "answer",
    "rights:privacy-act": "consents",
    "reference:act": "answer",
    "feedback:act": "theme",
}


def _web_url(name: str, pattern: str, world: World, persona: str) -> str:
    def value(match: re.Match) -> str:
        converter, param = match.group(1), match.group(2)
        if param == "context_id":
            return world.contexts.get(persona, str(uuid.uuid4()))
        if param == "object_id":
            return str(world.values["user_id"])
        if converter == "slug" and param in ("action", "kind"):
            return SLUGS.get(name, str(world.values.get(param, "x")))
        return str(world.values.get(param, "1"))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, pattern).replace("^", "").replace("$", "")


# --- The crawl: one URL per route, as the persona that sees the real page -------------------

# Who visits a route, in this order of preference: the first the door matrix lets in.
CRAWLERS = (
    "anonymous",
    "patron",
    "guardian",
    "clerk serving",
    "librarian",
    "head librarian",
    "privacy officer",
    "administrator",
)
NOT_CRAWLED = {
    "admin:*": "Django's own admin site, with Django's own translations",
    "accounts:sign-in-code": "needs a sign-in held between the password and the code",
    "web:staff-sign-out": "signs out",
    "patrons:sign-out": "signs out",
    "set_language": "changes the language",
    "outreach:organization-contact": "needs an organization served at the desk (Avery is a person)",
    "monitoring:metrics": "read with the monitoring token (tests/web/test_monitoring.py)",
}


@dataclass(frozen=True)
class Visit:
    name: str  # the route's name
    persona: str
    url: str


def crawl_plan(world: World, table: dict[str, dict[str, str]]) -> list[Visit]:
    """One visit per web route: its URL filled from the world, by the first of CRAWLERS whose
    answer in `table` (the door matrix's WEB) is "ok". A route nobody may visit is an error."""
    visits = []
    for name, pattern in sorted(web_routes().items()):
        if name in NOT_CRAWLED:
            continue
        allowed = [p for p in CRAWLERS if table[name][p] == "ok"]
        assert allowed, f"no crawler may visit {name}"
        visits.append(Visit(name, allowed[0], _web_url(name, pattern, world, allowed[0])))
    return visits


def is_page(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def html_pages(world: World, visits: list[Visit], posted: set[str]) -> list[Visit]:
    """The visits whose GET shows an HTML page (fetched here in-process, changing nothing):
    not the routes in `posted` that answer GET with 405 or 404 (a form's target with no page
    of its own), nor feeds, calendar files and downloads. Any other error fails."""
    from django.db import transaction

    shown = []
    for visit in visits:
        with transaction.atomic():
            response = world.browsers[visit.persona].get(visit.url)
            transaction.set_rollback(True)
        if response.status_code in (404, 405) and visit.name in posted:
            continue
        assert response.status_code < 400, f"{visit}: {response.status_code}"
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            shown.append(visit)
    return shown
