"""What a load balancer and a monitoring system read (issue 17, "Observed"): /healthz answers
without the database, /readyz names what is not ready, and /metrics, for the monitoring token
only, counts requests by route pattern, checkouts, searches and failed sign-ins without ever
holding a patron's card, name, PIN or token."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from libdesk.core import metrics
from tests.canaries import PINS, STAFF_PASSWORD
from tests.conftest import AVERY, BEATRICE, bearer

pytestmark = pytest.mark.django_db

TOKEN = "monitoring-token-" + "x" * 32


@pytest.fixture
def monitored(settings):
    settings.LIBDESK = {**settings.LIBDESK, "METRICS_TOKEN": TOKEN}


def scrape(client: Client | None = None) -> str:
    response = (client or Client()).get("/metrics", **bearer(TOKEN))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a scrape (0 when it is not there yet)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


# --- /healthz and /readyz ------------------------------------------------------------------


def test_healthz_answers_200_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies, "a probe gets no session or language cookie"


def test_readyz_is_ready_with_each_check_and_its_figures():
    response = Client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["not_ready"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["search_index"] == {"ok": True, "behind": 0, "limit": 50_000}
    assert body["checks"]["task_queue"] == {"ok": True, "waiting": 0, "limit": 5_000}


def test_readyz_is_503_naming_the_search_index_when_it_lags_past_the_setting(settings):
    from libdesk.catalog.models import OutboxEntry

    settings.LIBDESK = {**settings.LIBDESK, "READY_MAX_INDEX_LAG": 2}
    OutboxEntry.objects.bulk_create(OutboxEntry(record_id=n) for n in (1, 2, 3))
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["not_ready"] == ["search_index"]
    assert body["checks"]["search_index"] == {"ok": False, "behind": 3, "limit": 2}


def test_readyz_is_503_naming_the_task_queue_when_no_worker_takes_the_tasks(settings):
    from libdesk.catalog.search.tasks import apply_catalog_outbox

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LIBDESK = {**settings.LIBDESK, "READY_MAX_QUEUE_DEPTH": 1}
    apply_catalog_outbox.enqueue()
    assert Client().get("/readyz").status_code == 200  # one waiting is within the limit
    apply_catalog_outbox.enqueue()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["not_ready"] == ["task_queue"]
    assert response.json()["checks"]["task_queue"] == {"ok": False, "waiting": 2, "limit": 1}


def test_a_limit_of_zero_leaves_that_check_out(settings):
    from libdesk.catalog.models import OutboxEntry

    settings.LIBDESK = {**settings.LIBDESK, "READY_MAX_INDEX_LAG": 0}
    OutboxEntry.objects.bulk_create(OutboxEntry(record_id=n) for n in range(5))
    assert Client().get("/readyz").status_code == 200


def test_readyz_is_503_naming_the_database_when_it_does_not_answer(monkeypatch):
    from django.db import OperationalError, connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test database's teardown
        patched.setattr(connection, "cursor", refuse)
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["not_ready"] == ["database", "search_index", "task_queue"]
    assert body["checks"]["search_index"]["reason"] == "the database is unreachable"


def test_the_probes_are_not_redirected_to_https_behind_the_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code == 200
    assert Client().get("/branches/").status_code == 301  # everything else still is


# --- /metrics: who may read it -------------------------------------------------------------


def test_metrics_is_not_there_without_a_monitoring_token(settings):
    settings.LIBDESK = {**settings.LIBDESK, "METRICS_TOKEN": ""}
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", **bearer("")).status_code == 404


def test_metrics_refuses_every_other_caller_and_answers_the_token(
    monitored, staff_client, staff_token, patron_token
):
    wrong = [
        Client().get("/metrics"),
        Client().get("/metrics", **bearer(TOKEN[:-1])),
        Client().get("/metrics", **bearer(TOKEN + "x")),
        Client().get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}"),
        Client().get("/metrics", **bearer(staff_token("admin"))),
        Client().get("/metrics", **bearer(patron_token(AVERY))),
        staff_client("admin").get("/metrics"),
    ]
    assert [response.status_code for response in wrong] == [403] * len(wrong)
    assert b"libdesk_" not in b"".join(response.content for response in wrong)
    assert "libdesk_database_up 1.0" in scrape()


def test_a_short_metrics_token_is_refused_when_libdesk_starts(tmp_path):
    from tests.core.test_settings import settings_in_subprocess

    with pytest.raises(AssertionError, match="LIBDESK_METRICS_TOKEN: a metrics token needs"):
        settings_in_subprocess(tmp_path, LIBDESK_METRICS_TOKEN="short")


# --- /metrics: what it counts --------------------------------------------------------------


def test_latency_is_labelled_by_route_pattern_and_door_never_by_the_raw_path(monitored):
    from libdesk.policies.models import Policy

    before = scrape()
    pattern = {
        "door": "web",
        "route": "policies/<segment:number>/",
        "method": "GET",
        "status": "4xx",
    }
    Client().get("/policies/OP-99-99-99/")  # no such policy: 404, through its route
    Client().get("/api/v1/policies/OP-99-99-99")
    Client().get(f"/no-such-page/{AVERY}/")
    after = scrape()
    assert not Policy.objects.filter(number="OP-99-99-99").exists()
    count = "libdesk_request_duration_seconds_count"
    assert sample(after, count, **pattern) == sample(before, count, **pattern) + 1
    api = {"door": "api", "route": "api/v1/policies/<number>", "status": "4xx"}
    assert sample(after, count, **api) == sample(before, count, **api) + 1
    unresolved = {"door": "web", "route": "unresolved", "status": "4xx"}
    assert sample(after, count, **unresolved) == sample(before, count, **unresolved) + 1
    assert "OP-99-99-99" not in after and AVERY not in after
    assert 'le="0.15"' in after  # a bucket at the load test's p95 floor


def test_checkouts_are_counted_by_door_once_committed(
    monitored, staff_token, serving, django_capture_on_commit_callbacks
):
    from tests.circulation.conftest import Shelf

    shelf = Shelf()
    item = shelf.copy(shelf.record("Counted"))
    headers = serving(staff_token())
    before = sample(scrape(), "libdesk_checkouts_total", door="api")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/circulation/checkout",
            {"item_barcode": item.barcode},
            content_type="application/json",
            **headers,
        )
    assert response.status_code == 201, response.content
    refused = Client().post(  # a checkout that did not happen counts nothing
        "/api/v1/circulation/checkout",
        {"item_barcode": "no-such-barcode"},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code in (404, 409, 422)
    assert sample(scrape(), "libdesk_checkouts_total", door="api") == before + 1


def test_searches_are_counted_by_door(monitored, demo_library):
    text = scrape()
    web, api = (sample(text, "libdesk_catalog_searches_total", door=d) for d in ("web", "api"))
    assert Client().get("/search/", {"q": "maps"}).status_code == 200
    assert Client().get("/api/v1/catalog/search", {"q": "maps"}).status_code == 200
    assert Client().get("/api/v1/catalog/search", {"q": "x", "page": 99999}).status_code == 422
    text = scrape()
    assert sample(text, "libdesk_catalog_searches_total", door="web") == web + 1
    assert sample(text, "libdesk_catalog_searches_total", door="api") == api + 1


def test_sign_in_failures_are_counted_by_channel(monitored, demo_library):
    name = "libdesk_sign_in_failures_total"
    before = sample(scrape(), name, channel="online", outcome="wrong")
    response = Client().post(
        "/api/v1/auth/patron",
        {"patron_card": AVERY, "pin": "0000000000"},
        content_type="application/json",
    )
    assert response.status_code == 401
    wrong = {"username": "clerk", "password": "nope-nope", "workstation": "MAIN-DESK-1"}
    assert Client().post("/staff/sign-in/", wrong).status_code == 200  # the form, again
    assert sample(scrape(), name, channel="online", outcome="wrong") == before + 2


def test_index_lag_and_task_queue_are_read_at_scrape_time(monitored, settings):
    from libdesk.catalog.models import OutboxEntry
    from libdesk.catalog.search.tasks import apply_catalog_outbox

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    OutboxEntry.objects.bulk_create(OutboxEntry(record_id=n) for n in range(4))
    apply_catalog_outbox.enqueue()
    text = scrape()
    assert sample(text, "libdesk_search_index_lag") == 4
    assert sample(text, "libdesk_task_queue_depth") == 1
    assert sample(text, "libdesk_task_queue_oldest_seconds") >= 0


def test_every_process_of_libdesk_run_is_summed(monitored, tmp_path, monkeypatch):
    """Several processes (web, SIP2, worker) each write their counts to the shared folder;
    a scrape from any of them sums them all."""
    import subprocess
    import sys

    code = "from libdesk.core import metrics; metrics.checked_out('kiosk'); metrics.searched('api')"
    env = {**__import__("os").environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    text = scrape()
    assert sample(text, "libdesk_checkouts_total", door="kiosk") == 2
    assert sample(text, "libdesk_catalog_searches_total", door="api") == 2
    assert sample(text, "libdesk_database_up") == 1  # the database gauges still come along


def test_libdesk_run_gives_its_services_one_fresh_folder_and_removes_it(monkeypatch, tmp_path):
    import os

    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    with metrics.shared_by_children() as folder:
        assert os.environ[metrics.MULTIPROC_ENV] == folder
        assert os.path.isdir(folder)
    assert not os.path.exists(folder) and metrics.MULTIPROC_ENV not in os.environ
    given = tmp_path / "given"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"stale")
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(given))
    with metrics.shared_by_children() as folder:
        assert folder == str(given) and list(given.iterdir()) == []


# --- no patron data in /metrics ------------------------------------------------------------


def test_metrics_hold_no_card_name_pin_or_token_after_patron_activity(
    monitored, demo_library, staff_token, serving, patron_token, tmp_path
):
    """Patrons sign in (web and API, right and wrong), are served and searched for by card
    and name; the scrape names none of them. It is also left in a file, which the whole
    run's secret scan reads (tests/privacy/test_secrets_never_logged.py)."""
    from libdesk.patrons.models import Patron

    web = Client()
    web.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    web.post("/account/sign-in/", {"card": BEATRICE, "pin": "1111111111"})
    web.get("/account/")
    tokens = [patron_token(AVERY), staff_token()]
    Client().get("/api/v1/me/loans", **bearer(tokens[0]))
    headers = serving(tokens[1], BEATRICE)
    Client().get("/api/v1/patron/loans", **headers)
    avery = Patron.objects.get(card_number=AVERY)
    Client().get("/search/", {"q": avery.name})
    Client().get("/api/v1/catalog/search", {"q": AVERY})
    Client().get(f"/staff/serving/{uuid.uuid4()}/")
    text = scrape()
    (tmp_path / "metrics.txt").write_text(text)
    secrets = {*PINS.values(), *PINS, STAFF_PASSWORD, *tokens, headers["HTTP_X_SERVING_CONTEXT"]}
    secrets |= {t.split("_", 2)[2] for t in tokens}  # ldk_<id>_<secret>; "_" may be in <secret>
    for patron in Patron.objects.all():
        secrets |= {patron.name, *patron.name.split(), patron.card_number}
    leaked = sorted(secret for secret in secrets if secret and secret in text)
    assert leaked == []
    assert 'route="staff/serving/<uuid:context_id>/"' in text
