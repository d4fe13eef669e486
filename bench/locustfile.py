"""The simulated library for bench/load_test.py (Locust, headless; run by hand, never in tests).

Three kinds of users, by weight:
- visitors (6): anonymous catalogue searches (the web page and the API) and record pages;
- patrons (2): each signs in ONCE, at its start, through the API's patron token endpoint with
  a card of its own, then places a hold on a title and cancels it, and reads its holds;
- desk staff (1): a clerk's API token at MAIN-DESK-1 opens a serving context on a patron's card
  once, then lends a copy (`POST /api/v1/circulation/checkout`, with an Idempotency-Key) and
  takes it back (`POST /api/v1/circulation/checkin`).

Everything it needs comes from the plan load_test.py writes (LIBDESK_LOAD_PLAN): queries,
record ids, the patrons' cards and PINs, the staff token, the copies to lend (MAIN's own, so a
check-in never sends one in transit) and the titles to hold (their copies are never lent by
the desk here, so a return never fills a hold and blocks the next checkout). Think time
between a user's tasks: LIBDESK_LOAD_WAIT, "min,max" seconds.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["LIBDESK_LOAD_PLAN"]).read_text())
WAIT = between(*(float(s) for s in os.environ.get("LIBDESK_LOAD_WAIT", "0.05,0.15").split(",")))
RNG = random.Random(17)  # noqa: S311  (benchmark draws)
JSON = {"Content-Type": "application/json", "Accept-Language": "en"}

_patrons = iter(PLAN["patrons"])  # each simulated patron has a card of its own
_copies = itertools.cycle(PLAN["copies"])


class Visitor(FastHttpUser):
    """Someone searching the catalogue, not signed in."""

    weight = 6
    wait_time = WAIT

    @task(3)
    def search_page(self) -> None:
        query = urlencode({"q": RNG.choice(PLAN["queries"])})
        self.client.get(f"/search/?{query}", name="web: search")

    @task(2)
    def search_api(self) -> None:
        query = urlencode({"q": RNG.choice(PLAN["queries"])})
        self.client.get(f"/api/v1/catalog/search?{query}", name="api: search")

    @task(3)
    def record_page(self) -> None:
        self.client.get(f"/records/{RNG.choice(PLAN['records'])}/", name="web: record page")

    @task(1)
    def record_api(self) -> None:
        self.client.get(
            f"/api/v1/catalog/records/{RNG.choice(PLAN['records'])}", name="api: record"
        )


class Patron(FastHttpUser):
    """A patron who signs in once, then holds titles and looks at the holds."""

    weight = 2
    wait_time = WAIT

    def on_start(self) -> None:
        card, pin = next(_patrons)
        self.headers = dict(JSON)
        self.hold_id: int | None = None
        with self.client.post(
            "/api/v1/auth/patron",
            data=json.dumps({"patron_card": card, "pin": pin}),
            headers=JSON,
            name="api: patron sign-in",
            catch_response=True,
        ) as reply:
            signed_in = reply.status_code == 201
            if signed_in:
                self.headers["Authorization"] = f"Bearer {reply.json()['token']}"
            else:
                reply.failure(f"sign-in answered {reply.status_code}: {reply.text[:200]}")
        if not signed_in:
            raise StopUser()

    @task(2)
    def hold_or_cancel(self) -> None:
        if self.hold_id is None:
            body = {"record_id": RNG.choice(PLAN["hold_records"]), "pickup_branch": "MAIN"}
            with self.client.post(
                "/api/v1/holds",
                data=json.dumps(body),
                headers=self.headers,
                name="api: place hold",
                catch_response=True,
            ) as reply:
                if reply.status_code == 201:
                    self.hold_id = reply.json()["id"]
                else:
                    reply.failure(f"place hold answered {reply.status_code}: {reply.text[:200]}")
        else:
            self.client.delete(
                f"/api/v1/holds/{self.hold_id}", headers=self.headers, name="api: cancel hold"
            )
            self.hold_id = None

    @task(1)
    def my_holds(self) -> None:
        self.client.get("/api/v1/me/holds", headers=self.headers, name="api: my holds")


class Desk(FastHttpUser):
    """A clerk at the desk: one patron's card scanned, copies lent and taken back."""

    weight = 1
    wait_time = WAIT

    def on_start(self) -> None:
        self.headers = {**JSON, "Authorization": f"Bearer {PLAN['staff_token']}"}
        card = RNG.choice(PLAN["served_cards"])
        with self.client.post(
            "/api/v1/serving",
            data=json.dumps({"patron_card": card, "basis": "card_presented"}),
            headers=self.headers,
            name="api: open serving context",
            catch_response=True,
        ) as reply:
            opened = reply.status_code == 201
            if opened:
                self.serving = reply.json()["id"]
            else:
                reply.failure(f"serving context answered {reply.status_code}: {reply.text[:200]}")
        if not opened:
            raise StopUser()

    @task
    def lend_and_return(self) -> None:
        barcode = next(_copies)
        with self.client.post(
            "/api/v1/circulation/checkout",
            data=json.dumps({"item_barcode": barcode}),
            headers={
                **self.headers,
                "X-Serving-Context": self.serving,
                "Idempotency-Key": f"load-{uuid.uuid4()}",
            },
            name="api: checkout",
            catch_response=True,
        ) as reply:
            if reply.status_code != 201:
                reply.failure(f"checkout answered {reply.status_code}: {reply.text[:200]}")
                return
        self.client.post(
            "/api/v1/circulation/checkin",
            data=json.dumps({"item_barcode": barcode}),
            headers=self.headers,
            name="api: checkin",
        )
