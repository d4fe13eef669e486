"""Patron sign-in tells nothing: an unknown, lost, PIN-less or locked card answers like a known
one with a wrong PIN, in status, code and work; counters expire; PINs are ASCII digits; staff
lift a lock and the patron sees it; the API takes JSON bodies only."""

import itertools
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client

from libdesk.core import clock, lockout
from libdesk.core.decisions import Refused
from libdesk.core.models import SignInLock
from libdesk.patrons.models import Patron
from libdesk.patrons.services import PatronError, authenticate_patron, check_pin_rules
from tests.conftest import AVERY, BEATRICE, PINS, bearer

pytestmark = pytest.mark.django_db
ADDRESSES = (f"203.0.113.{n % 250}" for n in itertools.count())
UNKNOWN = "29000000009999"


def api_sign_in(card, pin):
    """From a new address each time: the per-address limit is another test's business."""
    return Client(REMOTE_ADDR=next(ADDRESSES)).post(
        "/api/v1/auth/patron", {"patron_card": card, "pin": pin}, content_type="application/json"
    )


class HashCounter:
    """Counts PIN hash computations: the work, and so the time, an attempt costs."""

    def __init__(self) -> None:
        self.calls = 0

    def __enter__(self):
        cls = type(get_hasher())
        self.cls, self.saved = cls, (cls.verify, cls.encode)
        counter = self

        def wrap(real):
            def counted(self, *args, **kwargs):
                counter.calls += 1
                return real(self, *args, **kwargs)

            return counted

        cls.verify, cls.encode = wrap(self.saved[0]), wrap(self.saved[1])
        return self

    def __exit__(self, *exc) -> None:
        self.cls.verify, self.cls.encode = self.saved


def answers(card: str, pin: str, times: int = 6) -> list[tuple[int, str, int]]:
    """Status, error or decision code, and hash computations of each attempt."""
    seen = []
    for _ in range(times):
        with HashCounter() as counter:
            response = api_sign_in(card, pin)
        body = response.json()
        code = body.get("decision", {}).get("code") or body.get("detail")
        seen.append((response.status_code, code, counter.calls))
    return seen


@pytest.mark.parametrize("pin", ["0000", "", "١٢٣٤", "1234x"])
def test_an_unknown_card_answers_like_a_known_card_with_a_wrong_pin(demo_library, pin):
    with clock.travel_to(clock.now()):
        known = answers(BEATRICE, pin if pin != PINS[BEATRICE] else "0000")
        unknown = answers(UNKNOWN, pin)
    assert known == unknown
    assert [status for status, _, _ in known] == [401] * 5 + [429]
    assert {work for _, _, work in known} == {1}


def test_a_lost_card_and_a_locked_card_cost_the_same_work_and_say_the_same(demo_library):
    lost = Patron.objects.get(card_number=AVERY)
    lost.card_lost_at = clock.now()
    lost.save()
    with clock.travel_to(clock.now()):
        # the right PIN of a lost card is refused like a wrong PIN of any card
        assert answers(AVERY, PINS[AVERY]) == answers(UNKNOWN, "1234")
        # once locked, even the right PIN costs one hash and answers 429
        locked = answers(AVERY, PINS[AVERY], times=1)
        assert locked == [(429, "sign_in_locked", 1)]


def test_counters_expire_with_their_window_and_lock(demo_library):
    with clock.travel_to(clock.now()):
        answers(UNKNOWN, "0000", times=5)
        assert SignInLock.objects.filter(subject__startswith="anon:").exists()
        assert UNKNOWN not in str(list(SignInLock.objects.values_list("subject", flat=True)))
        clock.advance(timedelta(minutes=15, seconds=1))
        assert answers(UNKNOWN, "0000", times=1)[0][0] == 401  # the lock ran out
        assert SignInLock.objects.filter(subject__startswith="anon:").count() == 1  # the old went


def test_anyone_who_knows_a_card_number_cannot_keep_it_locked_forever(demo_library):
    """The lock lasts its time and is not lengthened by more attempts during it."""
    with clock.travel_to(clock.now()):
        answers(AVERY, "0000", times=5)
        for _ in range(10):
            clock.advance(timedelta(minutes=1))
            api_sign_in(AVERY, "0000")
        clock.advance(timedelta(minutes=5, seconds=1))
        assert api_sign_in(AVERY, PINS[AVERY]).status_code == 201


@pytest.mark.parametrize("pin", ["١٢٣٤", "１２３４", "12 34", "", "1234567890123"])
def test_pins_are_ascii_digits(pin):
    with pytest.raises(PatronError):
        check_pin_rules(pin)


def test_a_pin_of_non_ascii_digits_never_signs_in(demo_library):
    patron = Patron.objects.get(card_number=AVERY)
    with pytest.raises(Exception):  # noqa: B017 - SignInFailed, whatever the digits
        authenticate_patron(patron.card_number, "١٢٣٤")


def test_the_current_pin_box_counts_as_a_sign_in(client, demo_library):
    with clock.travel_to(clock.now()):
        client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
        pages = [
            client.post("/account/", {"form": "pin", "current_pin": "9999", "new_pin": "4321"})
            for _ in range(6)
        ]
        assert [p.status_code for p in pages] == [200] * 5 + [429]
        assert "the current PIN is not right" in unescape(pages[0].content.decode())
        assert api_sign_in(AVERY, PINS[AVERY]).status_code == 429  # online channel locked
        assert authenticate_patron(AVERY, PINS[AVERY], channel=lockout.KIOSK).card_number == AVERY


def test_staff_lift_a_lock_at_the_desk_and_the_patron_sees_it(staff_client, demo_library):
    with clock.travel_to(clock.now()):
        answers(AVERY, "0000", times=5)
        desk = staff_client("clerk")
        opened = desk.post("/staff/desk/card/", {"card": AVERY})  # the card in hand
        serving = opened["Location"]
        page = unescape(desk.get(serving).content.decode())
        assert "Sign-in pauses" in page and "paused until" in page
        desk.post(serving + "unlock/")
        assert api_sign_in(AVERY, PINS[AVERY]).status_code == 201
        patron = Client()
        patron.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
        account = unescape(patron.get("/account/").content.decode())
    assert "staff lifted the pause" in account


def test_a_lock_never_blocks_the_desk(staff_client, demo_library):
    with clock.travel_to(clock.now()):
        answers(AVERY, "0000", times=5)
        opened = staff_client("clerk").post("/staff/desk/card/", {"card": AVERY})
        assert opened.status_code == 302 and "/staff/serving/" in opened["Location"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_the_api_takes_json_bodies_only(demo_library, content_type):
    """A body another site could make a browser send (no preflight) is refused before any
    sign-in is tried, so no attempt is spent."""
    with clock.travel_to(clock.now()):
        for _ in range(6):
            response = Client().post(
                "/api/v1/auth/patron",
                '{"patron_card": "29000000000001", "pin": "0000"}',
                content_type=content_type,
            )
            assert response.status_code == 415
        assert api_sign_in(AVERY, PINS[AVERY]).status_code == 201


def test_a_refused_sign_in_is_a_decision_with_its_clause(demo_library):
    with clock.travel_to(clock.now()):
        answers(AVERY, "0000", times=5)
        with pytest.raises(Refused) as refused:
            authenticate_patron(AVERY, PINS[AVERY])
    assert refused.value.decision.code == "sign_in_locked"
    assert refused.value.status == 429


def test_tokens_of_a_patron_whose_card_is_lost_stop_at_once(client, demo_library, patron_token):
    token = patron_token(AVERY)
    assert client.get("/api/v1/me", **bearer(token)).status_code == 200
    patron = Patron.objects.get(card_number=AVERY)
    patron.card_lost_at = clock.now()
    patron.save()
    assert client.get("/api/v1/me", **bearer(token)).status_code == 401
