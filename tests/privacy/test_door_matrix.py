"""The door-level permission matrix: every web route and every API operation, tried by every
persona, answers what this table says. The routes are read from the URL configuration and the
API's OpenAPI description, so a new route without a row here fails the test.

It sits beside the access-table test (tests/privacy/test_access_table.py), which walks the
rules; this one walks the doors. The objects named in URLs (a hold, a loan, a request, a
serving context...) belong to Avery, the patron; each persona's request runs in a transaction
that is rolled back, so no persona's visit changes what the next one finds.
"""

from __future__ import annotations

import copy
import uuid

import pytest
from django.contrib.admin import site as admin_site
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tests.conftest import AVERY, BEATRICE, PINS
from tests.doors.crawl import World, _web_url, build_world, web_routes

pytestmark = pytest.mark.django_db

# What a door answers, as a person would tell it apart.
OK = "ok"  # let in: the page, or its answer (a form error or a refusal Decision included)
SIGN_IN = "sign in"  # sent to a sign-in page (web), or 401 (API)
FORBIDDEN = "403"  # this role may never do it
NOT_FOUND = "404"  # not there, or not this caller's: the same answer
NEEDS_CONTEXT = "422"  # a staff API call about a patron without the serving context

PERSONAS = (
    "anonymous",
    "patron",  # Avery: the objects in the URLs are hers
    "another patron",  # Béatrice
    "guardian",  # Jordan, guardian of Sam (not of Avery)
    "child",  # Sam
    "clerk serving",  # a clerk serving Avery (the context in the URL or header is theirs)
    "clerk not serving",  # a clerk whose context has ended (web), or who sent none (API)
    "librarian",  # serving Avery in a context of their own
    "head librarian",  # likewise
    "privacy officer",
    "administrator",
    "disabled staff",  # a clerk signed in, then disabled
)
PATRONS = ("patron", "another patron", "guardian", "child")
DESK = ("clerk serving", "clerk not serving", "librarian", "head librarian")


def answers(default: str, **by_persona: str) -> dict[str, str]:
    """A row: `default` for every persona, except those named (spaces as underscores)."""
    row = dict.fromkeys(PERSONAS, default)
    for name, answer in by_persona.items():
        row[name.replace("_", " ")] = answer
    return row


def staff_only(*allowed: str, others: str = FORBIDDEN) -> dict[str, str]:
    """Staff pages: the roles named get in, other staff get 403, everyone else signs in."""
    row = answers(SIGN_IN)
    for persona in (*DESK, "privacy officer", "administrator"):
        row[persona] = OK if persona in allowed else others
    return row


ANYONE = answers(OK)
EVERY_STAFF = staff_only(*DESK, "privacy officer", "administrator")
DESK_PAGE = staff_only(*DESK)
SERVING_PAGE = {**DESK_PAGE, "clerk not serving": NOT_FOUND}
ADMIN_PAGE = staff_only("administrator")
OWN_ACCOUNT = answers(SIGN_IN, **{p.replace(" ", "_"): OK for p in PATRONS})
# Avery's own object: her, or staff serving her; another patron finds nothing there.
AVERYS = {**OWN_ACCOUNT, "another patron": NOT_FOUND, "guardian": NOT_FOUND, "child": NOT_FOUND}

# API rows. Patron tokens cannot use staff operations (401) and the reverse.
API_PUBLIC = ANYONE
API_PATRON_OWN = answers(SIGN_IN, **{p.replace(" ", "_"): OK for p in PATRONS})
API_STAFF_ANY_DESK = {
    **answers(SIGN_IN),
    **dict.fromkeys(DESK, OK),
    "privacy officer": FORBIDDEN,
    "administrator": FORBIDDEN,
}
API_STAFF_SERVING = {**API_STAFF_ANY_DESK, "clerk not serving": NEEDS_CONTEXT}
API_EITHER_SERVING = {**API_STAFF_SERVING, **{p: OK for p in PATRONS}}
# Sam's loans, holds and fees: Jordan, his guardian, signed in to his own account, and nobody else.
SAMS_FOR_JORDAN = {**answers(SIGN_IN), **dict.fromkeys(PATRONS, NOT_FOUND), "guardian": OK}
API_AVERYS = {
    **API_EITHER_SERVING,
    "another patron": NOT_FOUND,
    "guardian": NOT_FOUND,
    "child": NOT_FOUND,
}
# Reference questions: librarians and the Head Librarian; other staff are told never (403).
REFERENCE = {
    **answers(SIGN_IN),
    **dict.fromkeys(
        ("clerk serving", "clerk not serving", "privacy officer", "administrator"), FORBIDDEN
    ),
    "librarian": OK,
    "head librarian": OK,
}
CLAIMERS = {**REFERENCE, "head librarian": NOT_FOUND}
# An event the librarian organizes: theirs, the Head Librarian's and administrators' to change;
# another organizer finds nothing there.
EVENT_ORGANIZER_OR_HEAD = {
    **staff_only("librarian", "head librarian", "administrator"),
    "clerk serving": NOT_FOUND,
    "clerk not serving": NOT_FOUND,
}

# fmt: off
WEB = {
    # public pages
    "web:home": ANYONE, "web:branches": ANYONE, "web:ask-why": ANYONE, "web:retention": ANYONE,
    "web:favicon": ANYONE,
    "web:ask-why-submit": ANYONE, "web:ask-why-answer": ANYONE,
    "web:patron-sign-in": ANYONE, "web:staff-sign-in": ANYONE,
    "catalog:search": ANYONE, "catalog:record": ANYONE,
    "policies:list": ANYONE, "policies:detail": ANYONE, "policies:version": ANYONE,
    "set_language": ANYONE, "patrons:sign-out": ANYONE,
    # signing out sends everyone to the staff sign-in page
    "web:staff-sign-out": answers(SIGN_IN),
    # the code step needs a sign-in held after the password: nobody here has one
    "accounts:sign-in-code": answers(SIGN_IN),
    # staff pages
    "web:staff-home": EVERY_STAFF, "accounts:password": EVERY_STAFF,
    "accounts:second-factor": EVERY_STAFF,
    "accounts:people": ADMIN_PAGE, "accounts:change-person": ADMIN_PAGE,
    # self-check terminals (SIP2 logins): administrators only
    "sip2:terminals": ADMIN_PAGE, "sip2:new-terminal": ADMIN_PAGE,
    "sip2:edit-terminal": ADMIN_PAGE, "sip2:terminal-password": ADMIN_PAGE,
    "audit:search": staff_only("privacy officer"),
    "patrons:desk": DESK_PAGE, "patrons:open-by-card": DESK_PAGE,
    "patrons:open-by-identity": DESK_PAGE, "patrons:open-for-guardian": DESK_PAGE,
    "patrons:register": DESK_PAGE,
    "patrons:serving": SERVING_PAGE, "patrons:edit": SERVING_PAGE, "patrons:act": SERVING_PAGE,
    "circulation:checkout": SERVING_PAGE, "circulation:loan-action": SERVING_PAGE,
    "circulation:receipt": SERVING_PAGE,
    "circulation:checkin": DESK_PAGE, "circulation:damaged": DESK_PAGE,
    "circulation:slip": DESK_PAGE,
    "circulation:holds-desk": DESK_PAGE, "circulation:requests": DESK_PAGE,
    "circulation:update-request": DESK_PAGE, "circulation:call-list": DESK_PAGE,
    "circulation:reports": staff_only(*DESK, "administrator"),
    "circulation:reports-csv": staff_only(*DESK, "administrator"),
    "circulation:rules": staff_only(*DESK, "administrator"),
    "circulation:new-rule": staff_only("head librarian", "administrator"),
    "circulation:edit-rule": staff_only("head librarian", "administrator"),
    "library:calendar": staff_only(*DESK, "administrator"),
    "library:remove": staff_only("head librarian", "administrator"),
    "catalog:staff-record": DESK_PAGE, "catalog:staff-item": DESK_PAGE,
    "catalog:withdraw-item": DESK_PAGE, "catalog:reveal-borrower": DESK_PAGE,
    # a "why this policy?" question: the Head Librarian; a librarian it was not shared with
    # finds nothing
    "questions:detail": {**staff_only("head librarian"), "clerk serving": FORBIDDEN,
                         "clerk not serving": FORBIDDEN, "librarian": NOT_FOUND},
    "questions:act": {**staff_only("head librarian"), "clerk serving": FORBIDDEN,
                      "clerk not serving": FORBIDDEN, "librarian": NOT_FOUND},
    # the patron's own pages
    "patrons:account": OWN_ACCOUNT, "circulation:place-hold": OWN_ACCOUNT,
    "circulation:new-request": OWN_ACCOUNT,
    "circulation:account-act": AVERYS,
    # saved lists: the patron's own; Avery's list is nobody else's to see
    "catalog:lists": OWN_ACCOUNT, "catalog:new-list": OWN_ACCOUNT,
    "catalog:add-to-list": OWN_ACCOUNT,
    "catalog:saved-list": AVERYS, "catalog:list-act": AVERYS,
    # patrons' rights: consent, reading history, download, correction, closing the account;
    # the desk sees the served patron's correction requests
    "rights:privacy": OWN_ACCOUNT, "rights:privacy-act": OWN_ACCOUNT,
    "rights:history": OWN_ACCOUNT, "rights:export": OWN_ACCOUNT, "rights:close": OWN_ACCOUNT,
    "rights:corrections": SERVING_PAGE,
    # the parent exception online: the children's pages, Sam's for Jordan only
    "privacy:children": OWN_ACCOUNT, "privacy:child": SAMS_FOR_JORDAN,
    # ask a librarian: anyone asks and reads by private link; a patron's linked questions;
    # the queue for librarians; a question for its claimer (and those it is shared with)
    "reference:ask": ANYONE, "reference:asked": ANYONE,
    "reference:my-questions": OWN_ACCOUNT,
    "reference:queue": REFERENCE, "reference:claim-next": REFERENCE,
    "reference:question": CLAIMERS, "reference:act": CLAIMERS,
    "reference:figures": {**REFERENCE, "librarian": FORBIDDEN},
    "reference:figures-csv": {**REFERENCE, "librarian": FORBIDDEN},
    "reference:enter": DESK_PAGE,
    "reference:sources": staff_only(*DESK, "administrator"),
    "reference:new-source": REFERENCE, "reference:edit-source": REFERENCE,  # librarians curate
    # comments: anyone leaves one; a patron reads those they signed; librarians and the Head
    # Librarian triage them (the comment here is Avery's, signed); the board's figures
    "feedback:comment": ANYONE, "feedback:my-comments": OWN_ACCOUNT,
    "feedback:queue": REFERENCE, "feedback:comment-staff": REFERENCE, "feedback:act": REFERENCE,
    "feedback:figures": {**REFERENCE, "librarian": FORBIDDEN},
    "feedback:figures-csv": {**REFERENCE, "librarian": FORBIDDEN},
    # third-party requests: the desk records, the privacy officer keeps the register
    "privacy:record-request": staff_only(*DESK, "privacy officer"),
    "privacy:register": staff_only("privacy officer"),
    "privacy:register-entry": staff_only("privacy officer"),
    # outreach: the news, the new arrivals and their feeds are public; the unsubscribe link
    # (Avery's, signed) works without signing in; librarians write the news and send the
    # newsletter; the desk serving an organization records its contact person (Avery is a
    # person, not an organization: her serving context finds no such page)
    "outreach:news": ANYONE, "outreach:new-arrivals": ANYONE,
    "outreach:rss": ANYONE, "outreach:atom": ANYONE, "outreach:unsubscribe": ANYONE,
    "outreach:announcements": staff_only("librarian", "head librarian"),
    "outreach:newsletters": staff_only("librarian", "head librarian"),
    "outreach:newsletter": staff_only("librarian", "head librarian"),
    "outreach:send": staff_only("librarian", "head librarian"),
    "outreach:organization-contact": {**DESK_PAGE, **dict.fromkeys(DESK, NOT_FOUND)},
    # programs: anyone browses, registers and uses a private cancel link; a patron's own
    # registrations; staff who organize (and administrators) manage events; an event's page
    # for its organizer (the librarian here), the Head Librarian and administrators; who
    # registered for its organizer only
    "programs:events": ANYONE, "programs:feed": ANYONE, "programs:event": ANYONE,
    "programs:event-ics": ANYONE, "programs:register": ANYONE, "programs:cancel": ANYONE,
    "programs:my-registrations": OWN_ACCOUNT, "programs:withdraw": AVERYS,
    "programs:staff-events": staff_only(*DESK, "administrator"),
    "programs:new-event": staff_only(*DESK, "administrator"),
    "programs:edit-event": EVENT_ORGANIZER_OR_HEAD,
    "programs:cancel-event": EVENT_ORGANIZER_OR_HEAD,
    "programs:attendance": {**staff_only("librarian"), "clerk serving": NOT_FOUND,
                            "clerk not serving": NOT_FOUND, "head librarian": NOT_FOUND},
    # Django's admin: administrators only; everyone else is sent to the staff sign-in
    "admin:*": {**answers(SIGN_IN), "administrator": OK},
    # load balancers' probes: anyone, and they say nothing about anybody; the metrics are
    # for the monitoring token alone (test_only_the_monitoring_token_reads_the_metrics)
    "monitoring:healthz": ANYONE, "monitoring:readyz": ANYONE,
    "monitoring:metrics": answers(FORBIDDEN),
}

API = {
    # ninja's root route: no operation lives there, so it is not found for anyone
    "GET /api/v1/": answers(NOT_FOUND), "GET /api/v1/openapi.json": API_PUBLIC,
    "GET /api/v1/docs": API_PUBLIC,
    "POST /api/v1/auth/patron": API_PUBLIC,
    "DELETE /api/v1/auth/token": {**answers(SIGN_IN), **{p: OK for p in PATRONS},
                                  **dict.fromkeys((*DESK, "privacy officer", "administrator"), OK)},
    "POST /api/v1/serving": API_STAFF_ANY_DESK,
    "DELETE /api/v1/serving/{context_id}": {**API_STAFF_ANY_DESK, "clerk not serving": NOT_FOUND,
                                            "privacy officer": NOT_FOUND,
                                            "administrator": NOT_FOUND},
    "GET /api/v1/me": API_PATRON_OWN, "GET /api/v1/me/access-log": API_PATRON_OWN,
    "GET /api/v1/me/loans": API_PATRON_OWN, "GET /api/v1/me/holds": API_PATRON_OWN,
    "GET /api/v1/me/fees": API_PATRON_OWN, "GET /api/v1/me/requests": API_PATRON_OWN,
    "GET /api/v1/me/consents": API_PATRON_OWN, "PUT /api/v1/me/consents": API_PATRON_OWN,
    "GET /api/v1/me/history": API_PATRON_OWN, "DELETE /api/v1/me/history": API_PATRON_OWN,
    "GET /api/v1/me/export": API_PATRON_OWN,
    "GET /api/v1/me/children": API_PATRON_OWN,
    "GET /api/v1/me/children/{child_id}/loans": SAMS_FOR_JORDAN,
    "GET /api/v1/me/children/{child_id}/holds": SAMS_FOR_JORDAN,
    "GET /api/v1/me/children/{child_id}/fees": SAMS_FOR_JORDAN,
    "GET /api/v1/me/children/{child_id}/history": SAMS_FOR_JORDAN,  # Sam shares it (world)
    "POST /api/v1/third-party-requests": {**API_STAFF_ANY_DESK, "privacy officer": OK},
    "GET /api/v1/patron": API_STAFF_SERVING,
    "GET /api/v1/patron/loans": API_STAFF_SERVING, "GET /api/v1/patron/holds": API_STAFF_SERVING,
    "GET /api/v1/patron/fees": API_STAFF_SERVING,
    "GET /api/v1/patron/requests": API_STAFF_SERVING,
    "POST /api/v1/circulation/checkout": API_STAFF_SERVING,
    "POST /api/v1/circulation/checkin": API_STAFF_ANY_DESK,
    "POST /api/v1/circulation/renew": API_AVERYS,
    "POST /api/v1/holds": API_EITHER_SERVING,
    "POST /api/v1/requests": API_EITHER_SERVING,
    "GET /api/v1/holds/{hold_id}": API_AVERYS,
    "DELETE /api/v1/holds/{hold_id}": API_AVERYS,
    "POST /api/v1/holds/{hold_id}/suspend": API_AVERYS,
    "POST /api/v1/holds/{hold_id}/resume": API_AVERYS,
    "GET /api/v1/catalog/search": API_PUBLIC, "GET /api/v1/catalog/records/{record_id}": API_PUBLIC,
    "GET /api/v1/catalog/records/{record_id}/alternatives": API_PUBLIC,
    "GET /api/v1/policies": API_PUBLIC, "GET /api/v1/policies/due": API_PUBLIC,
    "GET /api/v1/policies/{number}": API_PUBLIC, "GET /api/v1/branches": API_PUBLIC,
    # ask a librarian: anyone asks and comes back with the private link; a patron lists the
    # questions they linked; librarians work the queue; only the claimer (the librarian here)
    # reads and acts on a question, so the Head Librarian finds nothing there
    "POST /api/v1/reference/questions": {**API_PUBLIC, "privacy officer": FORBIDDEN,
                                         "administrator": FORBIDDEN},  # the desk enters them
    "GET /api/v1/reference/asked/{asker_key}": API_PUBLIC,
    "GET /api/v1/reference/sources": API_PUBLIC,
    "GET /api/v1/me/questions": API_PATRON_OWN,
    "GET /api/v1/reference/queue": REFERENCE, "POST /api/v1/reference/queue/claim-next": REFERENCE,
    "POST /api/v1/reference/questions/{reference_id}/claim": REFERENCE,
    "GET /api/v1/reference/questions/{reference_id}": CLAIMERS,
    "POST /api/v1/reference/questions/{reference_id}/consult": CLAIMERS,
    "POST /api/v1/reference/questions/{reference_id}/transfer": CLAIMERS,
    "POST /api/v1/reference/questions/{reference_id}/answer": CLAIMERS,
    "POST /api/v1/reference/questions/{reference_id}/close": CLAIMERS,
    "GET /api/v1/reference/figures": {**REFERENCE, "librarian": FORBIDDEN},
    # comments: anyone, signed with a patron token; any other token leaves it unsigned
    "POST /api/v1/feedback": API_PUBLIC, "GET /api/v1/me/feedback": API_PATRON_OWN,
    # programs: anyone reads the calendar and registers; a registration is cancelled by the
    # patron who made it (or with its secret cancel token, which no persona sends here)
    "GET /api/v1/events": API_PUBLIC,
    "POST /api/v1/events/{event_id}/registrations": API_PUBLIC,
    "DELETE /api/v1/registrations/{registration_id}": {
        **answers(SIGN_IN), "patron": OK, "another patron": NOT_FOUND, "guardian": NOT_FOUND,
        "child": NOT_FOUND,
    },
}
# fmt: on


def api_operations(client: Client) -> set[str]:
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item
    }
    return operations | {"GET /api/v1/", "GET /api/v1/openapi.json", "GET /api/v1/docs"}


def test_every_web_route_has_a_row_and_every_row_a_route():
    routes = set(web_routes())
    assert routes - set(WEB) == set(), "add these routes to the matrix"
    assert set(WEB) - routes == set(), "these rows name routes that no longer exist"


def test_every_api_operation_has_a_row_and_every_row_an_operation(client):
    operations = api_operations(client)
    assert operations - set(API) == set(), "add these API operations to the matrix"
    assert set(API) - operations == set(), "these rows name operations that no longer exist"


# --- The world every persona visits ------------------------------------------------------


# --- Visiting ----------------------------------------------------------------------------

# Requests that make each POST-only route do something harmless but real.
WEB_POSTS = {
    "web:ask-why-submit": {"clause": "OP-02-01-01/policies-explained", "question": "Why?"},
    "web:staff-sign-out": {},
    "patrons:sign-out": {},
    "set_language": {"language": "en"},
    "accounts:change-person": {"action": "unlock"},
    "sip2:terminal-password": {"password": "short"},  # a form error: let in, nothing changed
    "patrons:open-by-card": {"card": BEATRICE},
    "patrons:open-by-identity": {},
    "patrons:open-for-guardian": {},
    "patrons:act": {},  # action "end" in the URL
    "circulation:checkout": {"barcode": "nothing-here"},
    "circulation:loan-action": {"loan_id": "{loan_id}"},  # action "renew"
    "circulation:damaged": {},
    "circulation:update-request": {"status": "in_progress"},
    "circulation:account-act": {"hold_id": "{hold_id}"},  # action "suspend-hold"
    "circulation:place-hold": {"record_id": "{record_id}", "pickup_branch": "MAIN"},
    "catalog:new-list": {"name": "A list made at the door"},
    "catalog:add-to-list": {"record_id": "{record_id}", "name": "Saved from a result"},
    "catalog:list-act": {"name": "Renamed at the door"},  # action "rename"
    "catalog:staff-item": {},
    "catalog:withdraw-item": {},
    "catalog:reveal-borrower": {"reason": "damage_claim"},
    "questions:act": {},  # action "answer"
    "library:remove": {},
    "rights:privacy-act": {"newsletters": "on"},  # action "consents"
    "reference:claim-next": {},
    "reference:act": {},  # action "answer": an empty answer is a form error, so let in
    "feedback:act": {},  # action "theme": no theme is a form error, so let in
    "outreach:send": {},  # an issue with nothing in it: refused with its clause, so let in
    "programs:register": {},  # Avery holds a place (a refusal); others a form error
    "programs:withdraw": {},
    "programs:cancel-event": {},
}


def _classify(response, api: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if api and status == 401:
        return SIGN_IN
    if status in (301, 302, 303):
        location = response["Location"]
        if "/sign-in/" in location or location.startswith("/admin/login/"):
            return SIGN_IN
        return OK
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if api and status == 422 and "X-Serving-Context" in response.content.decode():
        return NEEDS_CONTEXT
    if status == 405:
        return "405"
    return OK


def _visit_web(world: World, name: str, pattern: str, persona: str):
    if name == "admin:*":
        url = "/admin/accounts/workstation/"
    else:
        url = _web_url(name, pattern, world, persona)
    browser = world.browsers[persona]
    if name in WEB_POSTS:
        data = {k: str(v).format(**world.values) for k, v in WEB_POSTS[name].items()}
        return browser.post(url, data)
    return browser.get(url)


API_BODIES = {
    "POST /api/v1/auth/patron": {"patron_card": BEATRICE, "pin": PINS[BEATRICE]},
    "POST /api/v1/serving": {"patron_card": AVERY, "basis": "card_presented"},
    "POST /api/v1/third-party-requests": {
        "key": "6f1c9a3e-2b7d-4c55-9a11-0d8e4f2b7c10",
        "requester_kind": "police",
        "requester": "A constable",
        "concerns": "Avery",
        "asked": "Her loans",
    },
    "POST /api/v1/circulation/checkout": {"item_barcode": "nothing-here"},
    "POST /api/v1/circulation/checkin": {"item_barcode": "{barcode}"},
    "POST /api/v1/circulation/renew": {"item_barcode": "{barcode}"},
    "POST /api/v1/holds": {"record_id": "{record_id}", "pickup_branch": "MAIN"},
    "POST /api/v1/requests": {"kind": "purchase", "title": "A request"},
    "POST /api/v1/holds/{hold_id}/suspend": {"until": None},
    "POST /api/v1/holds/{hold_id}/resume": {},
    "PUT /api/v1/me/consents": {"newsletters": True},
    "POST /api/v1/reference/questions": {"text": "When was the library built?"},
    "POST /api/v1/reference/queue/claim-next": {},
    "POST /api/v1/reference/questions/{reference_id}/claim": {},
    "POST /api/v1/reference/questions/{reference_id}/consult": {
        "librarian_id": "{head_id}",
        "reason": "subject_expertise",
    },
    "POST /api/v1/reference/questions/{reference_id}/transfer": {
        "librarian_id": "{head_id}",
        "reason": "workload",
    },
    "POST /api/v1/reference/questions/{reference_id}/answer": {"text": ""},  # 422: let in
    "POST /api/v1/reference/questions/{reference_id}/close": {"effort": 2},
    "POST /api/v1/feedback": {"text": "The new hours suit me.", "rating": 5},
    "POST /api/v1/events/{event_id}/registrations": {
        "name": "A Visitor",
        "contact": "visitor@example.org",
    },
}


def _visit_api(world: World, operation: str, persona: str):
    method, path = operation.split(" ", 1)
    values = {**world.values, "context_id": world.contexts.get(persona, str(uuid.uuid4()))}
    url = path.format(**values)
    headers = {}
    if persona in world.tokens:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[persona]}"
    if persona in DESK and persona != "clerk not serving" and persona in world.contexts:
        headers["HTTP_X_SERVING_CONTEXT"] = world.contexts[persona]
    body = API_BODIES.get(operation)
    client = Client()
    call = getattr(client, method.lower())
    if body is None:
        return call(url, **headers)
    filled = {
        k: (int(v.format(**values)) if k.endswith("_id") else v.format(**values))
        if isinstance(v, str)
        else v
        for k, v in body.items()
    }
    return call(url, filled, content_type="application/json", **headers)


def _in_a_rolled_back_transaction(visit, browser: Client | None = None):
    """One visit that leaves nothing behind: its database changes are rolled back and the
    browser's cookies put back (signing out must not sign the persona out for the rest)."""
    cookies = copy.deepcopy(browser.cookies) if browser else None
    with transaction.atomic():
        cache.clear()
        response = visit()
        transaction.set_rollback(True)
    if browser is not None:
        browser.cookies = cookies
    return response


MONITORING_TOKEN = "a-monitoring-token-for-the-matrix-0123456789"


def test_every_door_answers_every_persona_as_the_matrix_says(demo_library, client, settings):
    settings.LIBDESK = {**settings.LIBDESK, "METRICS_TOKEN": MONITORING_TOKEN}
    world = build_world()
    wrong = []
    for name, pattern in sorted(web_routes().items()):
        for persona in PERSONAS:
            response = _in_a_rolled_back_transaction(
                lambda: _visit_web(world, name, pattern, persona),  # noqa: B023
                world.browsers[persona],
            )
            got = _classify(response, api=False)
            if got != WEB[name][persona]:
                wrong.append(f"{name} as {persona}: {got} (expected {WEB[name][persona]})")
    for operation in sorted(api_operations(client)):
        for persona in PERSONAS:
            response = _in_a_rolled_back_transaction(
                lambda: _visit_api(world, operation, persona)  # noqa: B023
            )
            got = _classify(response, api=True)
            if got != API[operation][persona]:
                wrong.append(
                    f"{operation} as {persona}: {got} (expected {API[operation][persona]})"
                )
    assert wrong == [], "\n".join(wrong)


def test_only_the_monitoring_token_reads_the_metrics(demo_library, settings):
    """Every persona's API token and browser is refused /metrics; the monitoring token reads
    it; with no monitoring token configured, /metrics is not there for anyone."""
    settings.LIBDESK = {**settings.LIBDESK, "METRICS_TOKEN": MONITORING_TOKEN}
    world = build_world()
    answered = {}
    for persona in PERSONAS:
        token = world.tokens.get(persona)
        by_token = Client().get(
            "/metrics", **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})
        )
        by_browser = world.browsers[persona].get("/metrics")
        answered[persona] = (by_token.status_code, by_browser.status_code)
    assert answered == dict.fromkeys(PERSONAS, (403, 403))
    monitoring = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {MONITORING_TOKEN}")
    assert monitoring.status_code == 200
    assert b"libdesk_request_duration_seconds_bucket" in monitoring.content
    settings.LIBDESK = {**settings.LIBDESK, "METRICS_TOKEN": ""}
    unset = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {MONITORING_TOKEN}")
    assert unset.status_code == 404
    assert world.browsers["administrator"].get("/metrics").status_code == 404


def test_the_admin_site_shows_no_patron_linked_model():
    from tests.privacy.test_doors import patron_linked_models

    shown = set(admin_site._registry)
    assert shown & patron_linked_models() == set()
