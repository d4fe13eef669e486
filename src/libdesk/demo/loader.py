"""Loads the demo library through the same services a real library uses.

Each capability adds its part of the demo here as it is built; the README lists what the
demo holds. A database loaded this way is marked as a demo library.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import holidays
import pyotp
from django.core.management import call_command
from django.db import transaction

from libdesk.access.table import Role
from libdesk.accounts.models import SECOND_FACTOR_ROLES, SecondFactor, StaffUser, Workstation
from libdesk.catalog.importing import import_file
from libdesk.catalog.items import store_items
from libdesk.catalog.models import Record
from libdesk.catalog.search.follower import rebuild
from libdesk.circulation.models import DeskTerms, LoanRule
from libdesk.circulation.rules import LOAN_RULE_CLAUSE, TERMS_CLAUSE
from libdesk.core import clock
from libdesk.demo.programs import load_programs
from libdesk.library.models import Branch, ClosedDay, Library, OpeningHours, ShelfLocation
from libdesk.patrons.models import Category, GuardianLink, Patron
from libdesk.patrons.services import PatronDetails, register_patron
from libdesk.policies.documents import read_policy_file
from libdesk.policies.models import Policy
from libdesk.policies.services import register_policy
from libdesk.reference.models import ConsumerSource
from libdesk.sip2.models import MESSAGES, PatronField
from libdesk.sip2.services import TerminalSettings, create_terminal

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "loc-demo-2000.mrc.gz"
FIRST_BARCODE = 39000000000001
POLICY_FILE = (
    Path(__file__).resolve().parent.parent / "policies/documents/customer-service-OP-02-01-01.yaml"
)
DEMO_PASSWORD = "libdesk-demo"  # noqa: S105 - published on purpose; demo libraries stay local
# The demo's authenticator key for `privacy` and `admin`, published like the password.
DEMO_TOTP_SECRET = "LIBDESKDEMOAUTHENTICATORKEY23456"  # noqa: S105
DEMO_STAFF = [
    ("head", "Hana", "Head", Role.HEAD_LIBRARIAN),
    ("librarian", "Luc", "Librarian", Role.LIBRARIAN),
    ("clerk", "Chris", "Clerk", Role.CLERK),
    ("privacy", "Priya", "Privacy", Role.PRIVACY_OFFICER),
    ("admin", "Ada", "Admin", Role.ADMINISTRATOR),
]
WORKSTATIONS = [("MAIN-DESK-1", "MAIN"), ("KEEW-DESK-1", "KEEW")]
CARDS_VALID_TO = date(2030, 12, 31)
# The self-check kiosk's SIP2 login (published like the staff password; demo libraries stay
# on loopback): every message libdesk answers, and what a kiosk shows of a patron.
KIOSK_LOGIN, KIOSK_PASSWORD, KIOSK_INSTITUTION = "kiosk", "kiosk-demo", "KPL"
KIOSK_PATRON_FIELDS = [
    PatronField.NAME,
    PatronField.VALIDITY,
    PatronField.COUNTS,
    PatronField.FEES,
    PatronField.ITEMS,
]
# Invented people. (card, PIN, name, e-mail, category, language, birth date for a child)
DEMO_PATRONS = [
    ("29000000000001", "1234", "Avery Lindqvist", "avery@example.org", Category.ADULT, "en", None),
    (
        "29000000000002",
        "2345",
        "Béatrice Ouellet",
        "beatrice@example.org",
        Category.ADULT,
        "fr",
        None,
    ),
    (
        "29000000000010",
        "1010",
        "Jordan Kakegamic",
        "jordan@example.org",
        Category.ADULT,
        "en",
        None,
    ),
    ("29000000000011", "1111", "Sam Kakegamic", "", Category.CHILD, "en", date(2016, 5, 1)),
]
GUARDIANS = [("29000000000010", "29000000000011")]
WEEKDAYS, FRIDAY, SATURDAY = range(0, 4), 4, 5
BRANCHES = [
    {
        "code": "MAIN",
        "name": "Main",
        "address": "24 Main Street South\nKenora, ON  P9N 1S7",
        "phone": "807-467-2081",
        "hours": [(d, time(10), time(20)) for d in WEEKDAYS]
        + [(FRIDAY, time(10), time(17)), (SATURDAY, time(10), time(16))],
    },
    {
        "code": "KEEW",
        "name": "Keewatin",
        "address": "221 Ottawa Street\nKeewatin, ON  P0X 1C0",
        "phone": "807-547-2145",
        "hours": [(d, time(13), time(19)) for d in (1, 3)]
        + [(FRIDAY, time(10), time(15)), (SATURDAY, time(10), time(14))],
    },
]


class DemoError(Exception):
    pass


def library_holds_data() -> bool:
    holders = (Library, Branch, Policy, StaffUser, Patron, Record)
    return any(model.objects.exists() for model in holders)


def load_demo(*, reset: bool = False, with_catalogue: bool = True) -> None:
    """Load the demo library; refuse a database that already holds a library unless `reset`."""
    if library_holds_data():
        if not reset:
            raise DemoError(
                "This database already holds a library. Use --reset to erase it and load the "
                "demo library instead."
            )
        call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        Library.objects.create(
            name="Kenora Public Library",
            # The address only: pages put it in a sentence of their own language.
            head_librarian_contact=(
                "Kenora Public Library, 24 Main Street South, Kenora, ON P9N 1S7"
            ),
            is_demo=True,
        )
        _load_branches()
        _load_holidays()
        _load_shelf_locations()
        register_policy(read_policy_file(POLICY_FILE))
        _load_staff()
        _load_workstations()
        _load_terminals()
        _load_loan_rules()
        _load_patrons()
        _load_consumer_sources()
        load_programs()
    if with_catalogue:
        _load_catalogue()


# Real sources of consumer information, as a Canadian library's directory would list them
# (name in English and French, topic, kind, address).
CONSUMER_SOURCES = (
    (
        "Office of Consumer Affairs",
        "Bureau de la consommation",
        "consumer",
        "government_office",
        "https://ised-isde.canada.ca/site/office-consumer-affairs/en",
    ),
    (
        "Consumer Protection Ontario",
        "Protection du consommateur Ontario",
        "consumer",
        "government_office",
        "https://www.ontario.ca/page/consumer-protection-ontario",
    ),
    (
        "Financial Consumer Agency of Canada",
        "Agence de la consommation en matière financière du Canada",
        "business",
        "government_office",
        "https://www.canada.ca/en/financial-consumer-agency.html",
    ),
    (
        "Canadian Anti-Fraud Centre",
        "Centre antifraude du Canada",
        "consumer",
        "government_office",
        "https://antifraudcentre-centreantifraude.ca/",
    ),
    (
        "Recalls and safety alerts (Government of Canada)",
        "Rappels et avis de sécurité",
        "health",
        "government_office",
        "https://recalls-rappels.canada.ca/en",
    ),
    (
        "Consumer Reports",
        "Consumer Reports",
        "consumer",
        "testing_organisation",
        "https://www.consumerreports.org/",
    ),
    (
        "Protégez-Vous",
        "Protégez-Vous",
        "consumer",
        "testing_organisation",
        "https://www.protegez-vous.ca/",
    ),
    (
        "Steps to Justice (CLEO)",
        "Étapes vers la justice (CLEO)",
        "law",
        "other",
        "https://stepstojustice.ca/",
    ),
)


def _load_consumer_sources() -> None:
    ConsumerSource.objects.bulk_create(
        ConsumerSource(name_en=en, name_fr=fr, topic=topic, kind=kind, url=url)
        for en, fr, topic, kind, url in CONSUMER_SOURCES
    )


def _load_branches() -> None:
    for spec in BRANCHES:
        branch = Branch.objects.create(
            code=spec["code"], name=spec["name"], address=spec["address"], phone=spec["phone"]
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(branch=branch, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in spec["hours"]
        )


def _load_holidays() -> None:
    """Every branch closes on Ontario's statutory holidays (observed days included), this
    year and the next two."""
    this_year = clock.today().year
    years = range(this_year, this_year + 3)
    days = holidays.Canada(subdiv="ON", years=years, language="en_CA")
    french = holidays.Canada(subdiv="ON", years=years, language="fr")
    ClosedDay.objects.bulk_create(
        ClosedDay(branch=None, date=day, name=name, name_fr=french.get(day, ""))
        for day, name in sorted(days.items())
    )


# The shelf locations the demo's items carry (`_demo_items`), with their French names.
DEMO_SHELF_LOCATIONS = (("Adult non-fiction", "Documentaires adultes"),)


def _load_shelf_locations() -> None:
    ShelfLocation.objects.bulk_create(
        ShelfLocation(name=name, name_fr=name_fr) for name, name_fr in DEMO_SHELF_LOCATIONS
    )


def _load_staff() -> None:
    """The demo staff; those whose role signs in with a second factor get an authenticator
    whose key is published with the demo (`libdesk demo code USERNAME` prints its code)."""
    for username, first, last, role in DEMO_STAFF:
        user = StaffUser.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        if user.needs_second_factor:
            SecondFactor.objects.create(
                staff=user,
                secret=DEMO_TOTP_SECRET,
                created_at=clock.now(),
                confirmed_at=clock.now(),
            )


def demo_code(username: str) -> str:
    """The current authenticator code of a demo staff member (demo libraries only)."""
    library = Library.objects.first()
    if library is None or not library.is_demo:
        raise DemoError("codes are printed for the demo library only")
    if not SecondFactor.objects.filter(staff__username=username, secret=DEMO_TOTP_SECRET).exists():
        raise DemoError(f"{username!r} has no demo authenticator")
    return pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())


def _load_workstations() -> None:
    for name, branch in WORKSTATIONS:
        Workstation.objects.create(name=name, branch=Branch.objects.get(code=branch))


def _load_terminals() -> None:
    """The kiosk at Main, set up by the demo administrator as a library's would be."""
    create_terminal(
        StaffUser.objects.get(username="admin"),
        Workstation.objects.get(name="MAIN-DESK-1"),
        KIOSK_LOGIN,
        KIOSK_PASSWORD,
        TerminalSettings(
            institution=KIOSK_INSTITUTION,
            branch="MAIN",
            name="Main, self-check",
            messages=list(MESSAGES),
            patron_fields=[field.value for field in KIOSK_PATRON_FIELDS],
            error_detection=True,
            accepts_offline=True,
        ),
    )


def _load_loan_rules() -> None:
    """Books (and everything else) for 21 days with 2 renewals; 50 items at once for adults,
    20 for children; fine-free: no fines, no lost-item charges."""
    for category, items, held in (("", 50, 25), ("child", 20, 10)):
        LoanRule.objects.create(
            clause=LOAN_RULE_CLAUSE,
            patron_category=category,
            loan_days=21,
            renewals=2,
            max_items=items,
            max_holds=held,
        )
    DeskTerms.objects.create(clause=TERMS_CLAUSE)


def _load_patrons() -> None:
    clerk = StaffUser.objects.get(username="clerk")
    desk = Workstation.objects.get(name="MAIN-DESK-1")
    for card, pin, name, email, category, language, birth_date in DEMO_PATRONS:
        register_patron(
            clerk,
            desk,
            PatronDetails(
                name=name,
                card_number=card,
                category=category,
                home_branch="MAIN",
                card_expires=CARDS_VALID_TO,
                email=email,
                phone="" if email else "807-555-0111",
                language=language,
                birth_date=birth_date,
                pin=pin,
            ),
        )
    for guardian, child in GUARDIANS:
        GuardianLink.objects.create(
            guardian=Patron.objects.get(card_number=guardian),
            child=Patron.objects.get(card_number=child),
            linked_at=clock.now(),
        )


def _load_catalogue() -> None:
    """About 2,000 Library of Congress records through the real importer, with items."""
    summary = import_file(CATALOGUE_FILE)
    if summary.rejected:
        raise DemoError(f"the demo catalogue has {summary.rejected} rejected records")
    records = list(Record.objects.order_by("pk").values_list("control_number", "material_type"))
    books = [control for control, kind in records if kind == "book"]
    others = [control for control, kind in records if kind != "book"]
    ordered = books[:100] + others + books[100:]  # the first 100 copies: ordinary books
    store_items(list(_demo_items(ordered)), source="demo items")
    rebuild()


def _demo_items(control_numbers: list[str]):
    """The first 100 barcodes: one available copy each of 100 books at MAIN. Then one copy of
    every other record, alternating branches, a second copy of every tenth at the other
    branch, and a few missing or in repair."""
    barcode = FIRST_BARCODE
    for index, control in enumerate(control_numbers):
        branches = ["MAIN"] if index < 100 else ["MAIN" if index % 2 else "KEEW"]
        if index >= 100 and index % 10 == 0:
            branches.append("KEEW" if branches[0] == "MAIN" else "MAIN")
        for copy, branch in enumerate(branches):
            status = "available"
            if index >= 100 and copy == 0 and index % 50 == 7:
                status = "missing"
            elif index >= 100 and copy == 0 and index % 70 == 3:
                status = "in_repair"
            yield {
                "barcode": str(barcode),
                "control_number": control,
                "branch": branch,
                "location": DEMO_SHELF_LOCATIONS[0][0],
                "call_number": _call_number(index),
                "collection": "General",
                "status": status,
            }
            barcode += 1


def _call_number(index: int) -> str:
    return f"{100 + index % 900:03d}.{index % 97:02d}"


def sign_ins() -> list[str]:
    """Lines for `libdesk run` to print: who can sign in to the demo library, and how."""
    staff = [
        f"staff {username} / {DEMO_PASSWORD}"
        + (
            " + code from `libdesk demo code " + username + "`"
            if role in SECOND_FACTOR_ROLES
            else ""
        )
        for username, _first, _last, role in DEMO_STAFF
    ]
    patrons = [f"patron {card} / PIN {pin}" for card, pin, *_ in DEMO_PATRONS]
    kiosk = (
        f"kiosk terminal {KIOSK_LOGIN} / {KIOSK_PASSWORD} (SIP2, institution {KIOSK_INSTITUTION})"
    )
    return [*staff, *patrons, kiosk]
