"""The demo library's coming month of programs at both branches, from the day it is loaded:
weekly storytimes and rhymes, a computer class, a monthly book club, an author talk, a tablet
help session and a drop-in afternoon, in English and French. Some are full, with patrons and
invented people registered and others waiting in line. Made through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from libdesk.accounts.models import StaffUser, Workstation
from libdesk.core import clock
from libdesk.patrons.models import Patron
from libdesk.programs import services
from libdesk.programs.models import Event
from libdesk.programs.services import EventDetails, Registrant

# Invented people who registered without an account: a name and one contact.
PEOPLE = [
    ("Morgan Tremblay", "807-555-0141"),
    ("Priya Desrosiers", "priya.d@example.org"),
    ("Elliot Whitecloud", "807-555-0142"),
    ("Nadia Forsberg", "nadia.forsberg@example.org"),
    ("Tomás Keeshig", "807-555-0143"),
    ("Claire Beaudoin", "claire.beaudoin@example.org"),
    ("Owen Makwa", "807-555-0144"),
    ("Ruth Lindgren", "807-555-0145"),
    ("Sébastien Cardinal", "seb.cardinal@example.org"),
    ("Hannah Oskineegish", "807-555-0146"),
    ("Joëlle Marchand", "joelle.marchand@example.org"),
    ("Dev Anand-Roy", "807-555-0147"),
    ("Maeve Kowalczyk", "maeve.k@example.org"),
    ("Isaac Redsky", "807-555-0148"),
    ("Lena Bergeron", "lena.bergeron@example.org"),
    ("Felix Nakogee", "807-555-0149"),
]


@dataclass(frozen=True)
class DemoProgram:
    title_en: str
    title_fr: str
    description_en: str
    description_fr: str
    audience: str
    branch: str
    room: str
    organizer: str
    weekday: int  # 0 Monday
    start: time
    minutes: int
    capacity: int | None
    weekly: int = 0  # occurrences of a weekly series (0: one-off)
    monthly: int = 0
    accessibility_en: str = "Step-free entrance; ask staff for a hearing loop."
    accessibility_fr: str = "Entrée sans marche; demandez la boucle auditive au personnel."
    booked: int = 0  # people registered by the loader
    patrons: tuple[str, ...] = ()  # demo cards registered first


PROGRAMS = [
    DemoProgram(
        "Storytime",
        "L'heure du conte",
        "Stories, songs and rhymes for children aged 3 to 5 and their grown-ups.",
        "Histoires, chansons et comptines pour les enfants de 3 à 5 ans et leurs adultes.",
        "children",
        "MAIN",
        "Children's room",
        "librarian",
        1,
        time(10, 30),
        45,
        12,
        weekly=4,
        booked=14,
        patrons=("29000000000010",),
    ),
    DemoProgram(
        "Baby and toddler rhymes",
        "Comptines pour bébés",
        "Bounce, clap and sing with your baby or toddler.",
        "Sautez, tapez des mains et chantez avec votre bébé ou tout-petit.",
        "families",
        "KEEW",
        "Program room",
        "clerk",
        3,
        time(10, 0),
        30,
        8,
        weekly=4,
        booked=3,
    ),
    DemoProgram(
        "Computer basics: e-mail and the web",
        "Initiation à l'informatique : courriel et Web",
        "A hands-on class: set up an e-mail account and search the web safely. Computers are "
        "provided.",
        "Un atelier pratique : créer un compte de courriel et chercher sur le Web en sécurité. "
        "Les ordinateurs sont fournis.",
        "adults",
        "MAIN",
        "Computer lab",
        "clerk",
        2,
        time(14, 0),
        90,
        6,
        booked=8,
        patrons=("29000000000002",),
    ),
    DemoProgram(
        "Book club",
        "Club de lecture",
        "This month: a Canadian novel of your choice from the display at the front desk.",
        "Ce mois-ci : un roman canadien de votre choix, parmi ceux présentés à l'accueil.",
        "adults",
        "MAIN",
        "Meeting room",
        "librarian",
        3,
        time(19, 0),
        90,
        15,
        monthly=2,
        booked=5,
    ),
    DemoProgram(
        "Author talk: writing the Lake of the Woods",
        "Rencontre d'auteur : écrire le lac des Bois",
        "A local author reads from a new book and answers questions.",
        "Un auteur de la région lit un extrait de son nouveau livre et répond aux questions.",
        "all",
        "KEEW",
        "Program room",
        "head",
        5,
        time(14, 0),
        60,
        40,
        booked=6,
    ),
    DemoProgram(
        "Tablet help for seniors",
        "Aide aux tablettes pour les aînés",
        "Bring your tablet or phone: one-on-one help with apps, photos and video calls.",
        "Apportez votre tablette ou téléphone : aide individuelle pour les applications, les "
        "photos et les appels vidéo.",
        "seniors",
        "KEEW",
        "Program room",
        "librarian",
        4,
        time(10, 0),
        60,
        4,
        booked=4,
        patrons=("29000000000002",),
    ),
    DemoProgram(
        "Teen gaming afternoon",
        "Après-midi jeux pour ados",
        "Board games and video games. Drop in, no registration.",
        "Jeux de société et jeux vidéo. Entrée libre, sans inscription.",
        "teens",
        "MAIN",
        "Meeting room",
        "clerk",
        4,
        time(15, 30),
        120,
        None,
    ),
]


def _first(weekday: int, start: time) -> datetime:
    """The first such weekday from tomorrow, at `start`, library time."""
    day = clock.today() + timedelta(days=1)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime.combine(day, start, tzinfo=clock.library_zone())


def _details(program: DemoProgram) -> EventDetails:
    starts = _first(program.weekday, program.start)
    return EventDetails(
        title_en=program.title_en,
        title_fr=program.title_fr,
        description_en=program.description_en,
        description_fr=program.description_fr,
        audience=program.audience,
        branch=program.branch,
        room=program.room,
        organizer_id=StaffUser.objects.get(username=program.organizer).pk,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=program.minutes),
        registration_required=program.capacity is not None,
        capacity=program.capacity,
        accessibility_en=program.accessibility_en,
        accessibility_fr=program.accessibility_fr,
    )


def _book(event: Event, program: DemoProgram) -> None:
    """Register the demo's patrons named, then invented people, up to `booked` (past the
    capacity they wait in line, in that order)."""
    for card in program.patrons:
        patron = Patron.objects.get(card_number=card)
        services.register(event.pk, Registrant(patron_id=patron.pk, language=patron.language))
    for name, contact in PEOPLE[: max(program.booked - len(program.patrons), 0)]:
        services.register(event.pk, Registrant(name=name, contact=contact))


def load_programs() -> None:
    head = StaffUser.objects.get(username="head")
    station = Workstation.objects.get(name="MAIN-DESK-1")
    for program in PROGRAMS:
        details = _details(program)
        if program.weekly or program.monthly:
            frequency = "weekly" if program.weekly else "monthly"
            series = services.create_series(
                head, station, details, frequency, program.weekly or program.monthly
            )
            first = series.events.order_by("starts_at").first()
        else:
            first = services.create_event(head, station, details)
        if program.booked:
            _book(first, program)
