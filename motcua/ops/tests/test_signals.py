"""Signals (issue 15 item 5; docs/deployment.md, "Signals"): /healthz, /readyz with the
workers' heartbeat, /metrics (who may read it, the latency histogram by route, the queue,
the dossiers per unit, other apps' gauges), the request id in the logs and in the jobs."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from motcua.core import workflow
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import DueSoon, due_soon_q, due_windows, overdue_q
from motcua.dossiers.tests.world import build_world
from motcua.jobs.management.commands.worker import Command as WorkerCommand
from motcua.jobs.management.commands.worker import JobWorker
from motcua.jobs.models import WorkerHeartbeat
from motcua.jobs.selectors import task_queue_depths
from motcua.jobs.services import worker_heartbeat_beat
from motcua.lib.gauges import Gauge, register_gauge, unregister_gauge
from motcua.lib.requestid import JsonFormatter, RequestIdFilter
from motcua.ops.metrics import DATABASE_COLLECTOR, dossier_gauges
from motcua.ops.readiness import readiness, readiness_forget
from motcua.ops.tests.signals_support import note

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "metrics-token-for-tests-0123456789"
HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    readiness_forget()
    DATABASE_COLLECTOR.forget()
    yield
    readiness_forget()
    DATABASE_COLLECTOR.forget()


@pytest.fixture
def signals(settings):
    settings.ROOT_URLCONF = "motcua.ops.tests.signals_support"
    settings.MOTCUA_METRICS_TOKEN = TOKEN
    settings.MOTCUA_METRICS_ALLOW = []
    settings.MOTCUA_METRICS_CACHE_SECONDS = 0
    settings.MOTCUA_READYZ_CACHE_SECONDS = 0
    settings.MOTCUA_WORKER_STALE_SECONDS = 60
    settings.BEHIND_PROXY = False
    settings.MOTCUA_TRUSTED_PROXIES = []
    return settings


def scrape(**headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", REMOTE_ADDR="203.0.113.9", **headers
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


class Captured(logging.Handler):
    """The lines the settings' JSON format would write, formatted as they are emitted (while
    the request's or job's id is current), from the given loggers."""

    def __init__(self, *names: str) -> None:
        super().__init__(logging.INFO)
        self.names = names
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def __enter__(self) -> Captured:
        for name in self.names:
            logger = logging.getLogger(name)
            logger.addHandler(self)
            self._levels = getattr(self, "_levels", {}) | {name: logger.level}
            logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.names:
            logger = logging.getLogger(name)
            logger.removeHandler(self)
            logger.setLevel(self._levels[name])

    def of(self, logger: str) -> list[dict]:
        return [line for line in self.lines if line["logger"] == logger]


# -- /healthz: no database, no middleware work ----------------------------------------------


def test_healthz_answers_without_the_database_or_the_other_middleware():
    # No database access is allowed in this test (no django_db mark): a query would fail it.
    response = Client().get("/healthz", HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    # Nothing after the signals middleware ran: no cookie, no Vary, no security headers.
    assert not response.cookies
    assert "Vary" not in response
    assert "Content-Security-Policy" not in response
    assert "X-Request-ID" not in response


# -- /readyz ---------------------------------------------------------------------------------


def _ready(client: Client | None = None) -> tuple[int, dict]:
    response = (client or Client()).get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


@pytest.mark.django_db
def test_readyz_wants_a_recent_worker(signals):
    status, body = _ready()
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["worker"] == {"ok": False, "error": "no worker has ever been seen"}

    now = timezone.now()
    worker_heartbeat_beat(worker_id="web-1:42", host="web-1", started_at=now, now=now)
    assert _ready() == (
        200,
        {
            "status": "ready",
            "checks": {
                "database": {"ok": True},
                "migrations": {"ok": True},
                "worker": {"ok": True, "last_seen_seconds_ago": 0},
            },
        },
    )

    WorkerHeartbeat.objects.update(last_seen=now - timedelta(seconds=75))
    status, body = _ready()
    assert status == 503
    assert body["checks"]["worker"] == {
        "ok": False,
        "last_seen_seconds_ago": 75,
        "stale_after": 60,
    }
    # A stack without workers asks for none.
    signals.MOTCUA_WORKER_STALE_SECONDS = 0
    status, body = _ready()
    assert status == 200
    assert body["checks"]["worker"]["skipped"] == "MOTCUA_WORKER_STALE_SECONDS=0"


@pytest.mark.django_db
def test_readyz_names_an_unapplied_migration(signals):
    signals.MOTCUA_WORKER_STALE_SECONDS = 0
    assert _ready()[0] == 200
    MigrationRecorder.Migration.objects.filter(app="jobs", name="0003_worker_heartbeat").delete()
    status, body = _ready()
    assert status == 503
    assert body["checks"]["migrations"] == {
        "ok": False,
        "unapplied": 1,
        "first": ["jobs.0003_worker_heartbeat"],
    }


@pytest.mark.django_db
def test_readyz_is_cached_for_a_few_seconds(signals, django_assert_num_queries):
    signals.MOTCUA_READYZ_CACHE_SECONDS = 60
    with django_assert_num_queries(3):  # SELECT 1, the migrations applied, the heartbeat
        first = readiness()
    with django_assert_num_queries(0):
        assert readiness() is first
    # Through the address too: a burst of probes costs nothing more.
    with django_assert_num_queries(0):
        assert _ready()[0] == 503


def test_readyz_without_a_database_says_so_and_healthz_still_answers(tmp_path):
    # A separate process whose database is a PostgreSQL address where nothing listens.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = (
        "import django; django.setup();"
        "from django.test import Client; c = Client();"
        "print(c.get('/healthz').status_code);"
        "r = c.get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "motcua.test_settings",
        "MOTCUA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{port}/absent",
        "PGCONNECT_TIMEOUT": "3",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    healthz, readyz, body = done.stdout.splitlines()[:3]
    assert (healthz, readyz) == ("200", "503")
    # The exception's class only: no message, address or password in a public answer.
    assert json.loads(body) == {
        "status": "not ready",
        "checks": {"database": {"ok": False, "error": "OperationalError"}},
    }


@pytest.mark.django_db
def test_the_worker_loop_beats_at_most_every_few_seconds(signals, django_assert_num_queries):
    signals.MOTCUA_WORKER_HEARTBEAT_SECONDS = 30
    worker = JobWorker(
        queue_names=["*"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="web-2:4242",
        excluded_queue_names=[],
    )
    command = WorkerCommand()
    before = timezone.now()
    command._heartbeat(worker)
    written = timezone.now()
    with django_assert_num_queries(0):
        command._heartbeat(worker)  # within MOTCUA_WORKER_HEARTBEAT_SECONDS: no write
    (beat,) = WorkerHeartbeat.objects.all()
    assert beat.worker_id == "web-2:4242"
    # The moment of the first call, not of the second (which wrote nothing).
    assert before <= beat.last_seen <= written
    assert _ready()[0] == 200


# -- /metrics: who may read it ---------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_need_the_token_or_an_allowed_network(signals):
    client = Client()

    def status(remote: str = "203.0.113.9", **headers: str) -> int:
        return client.get("/metrics", REMOTE_ADDR=remote, **headers).status_code

    assert status() == 403
    assert status(HTTP_AUTHORIZATION="Bearer wrong") == 403
    assert status(HTTP_AUTHORIZATION=f"Basic {TOKEN}") == 403
    assert status(HTTP_AUTHORIZATION=f"Bearer {TOKEN}") == 200
    signals.MOTCUA_METRICS_ALLOW = ["10.0.0.0/8", "::1"]
    assert status("10.1.2.3") == 200
    assert status("::1") == 200
    assert status("11.1.2.3") == 403
    # Behind the proxy, the proxy's own address is not the client's: a request from the
    # internet relayed by nginx on 127.0.0.1 is refused, the monitoring network's allowed.
    signals.MOTCUA_METRICS_ALLOW = ["127.0.0.1", "10.0.0.0/8"]
    signals.BEHIND_PROXY = True
    signals.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    assert status("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9") == 403
    assert status("127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.8.7") == 200
    # Nothing configured: nobody, not even the machine itself.
    signals.MOTCUA_METRICS_ALLOW = []
    signals.MOTCUA_METRICS_TOKEN = ""
    assert status("127.0.0.1") == 403
    assert status(HTTP_AUTHORIZATION="Bearer ") == 403


# -- /metrics: the series --------------------------------------------------------------------


def _count(samples: dict, route: str, status: str, method: str = "GET") -> float:
    key = (
        "motcua_http_request_duration_seconds_count",
        (("method", method), ("route", route), ("status", status)),
    )
    return samples.get(key, 0.0)


@pytest.mark.django_db
def test_request_latency_by_route_name_never_the_path(signals):
    before = scrape()
    client = Client()
    assert client.get("/dang-nhap/").status_code == 200
    assert client.get("/dang-nhap/").status_code == 200
    assert client.get("/khong-co-trang/HS-000123-secret").status_code == 404
    assert client.generic("BREW", "/dang-nhap/").status_code == 405
    after = scrape()
    assert _count(after, "login", "2xx") - _count(before, "login", "2xx") == 2
    assert _count(after, "<unmatched>", "4xx") - _count(before, "<unmatched>", "4xx") == 1
    assert _count(after, "login", "4xx", "other") - _count(before, "login", "4xx", "other") == 1
    # Bounded labels: the unknown path and the odd method are nowhere in the exposition.
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "HS-000123" not in text
    assert "BREW" not in text
    # The buckets add up to the count.
    inf = (
        "motcua_http_request_duration_seconds_bucket",
        (("le", "+Inf"), ("method", "GET"), ("route", "login"), ("status", "2xx")),
    )
    assert after[inf] == _count(after, "login", "2xx")


@pytest.mark.django_db
def test_queue_depth_and_the_age_of_its_oldest_ready_task(signals, django_assert_num_queries):
    now = timezone.now()
    old = note.enqueue("old")
    note.enqueue("new")
    note.using(run_after=now + timedelta(hours=1)).enqueue("later")  # not ready yet
    DBTaskResult.objects.filter(pk=old.id).update(enqueued_at=now - timedelta(seconds=300))
    with django_assert_num_queries(1):
        (depth,) = task_queue_depths(timezone.now())
    assert (depth.queue, depth.ready) == ("default", 2)
    samples = scrape()
    assert samples[("motcua_task_queue_ready", (("queue", "default"),))] == 2
    age = samples[("motcua_task_queue_oldest_age_seconds", (("queue", "default"),))]
    assert 300 <= age < 330
    assert samples[("motcua_workers_alive", ())] == 0


@pytest.mark.django_db
def test_dossiers_pending_overdue_and_due_today_per_unit_in_fixed_queries(
    signals, django_assert_num_queries
):
    world = build_world()
    now = timezone.now()
    windows = due_windows(None, now)
    today = now + (windows.tomorrow - now) / 2
    later = windows.tomorrow + timedelta(days=3)

    def dossier(due, desk=None, status=None):
        made = world.create(receiving_agency=desk or world.city_desk, at="02/01/2024 08:00")
        fields = {"effective_due_at": due}
        if status:
            fields["status"] = status
        Dossier.objects.filter(pk=made.pk).update(**fields)
        return made

    dossier(now - timedelta(days=2))  # city: overdue
    dossier(today)  # city: due today
    dossier(later)  # city: pending, not due yet
    dossier(now - timedelta(days=2), status=workflow.Status.REFUSED.value)  # not pending
    dossier(today, desk=world.ward_desk)  # ward: due today
    dossier(later, desk=world.other_desk)  # other ward: pending

    # One grouped query, and the calendar's days off (cached for a second outside tests).
    with django_assert_num_queries(2):
        families = dossier_gauges(now)
    values = {
        (family.name, sample.labels["unit"]): sample.value
        for family in families
        for sample in family.samples
    }
    assert values == {
        ("motcua_dossiers_pending", "058"): 3,
        ("motcua_dossiers_overdue", "058"): 1,
        ("motcua_dossiers_due_today", "058"): 1,
        ("motcua_dossiers_pending", "01840"): 1,
        ("motcua_dossiers_overdue", "01840"): 0,
        ("motcua_dossiers_due_today", "01840"): 1,
        ("motcua_dossiers_pending", "01837"): 1,
        ("motcua_dossiers_overdue", "01837"): 0,
        ("motcua_dossiers_due_today", "01837"): 0,
    }
    # The one definition of each list: the gauges are the selectors' own counts.
    for unit in (world.city, world.ward, world.other_ward):
        mine = Dossier.objects.filter(receiving_unit=unit)
        assert values[("motcua_dossiers_overdue", unit.code)] == mine.filter(overdue_q(now)).count()
        due = mine.filter(due_soon_q(windows, DueSoon.TODAY)).count()
        assert values[("motcua_dossiers_due_today", unit.code)] == due
        pending = mine.filter(status__in=[s.value for s in workflow.PENDING]).count()
        assert values[("motcua_dossiers_pending", unit.code)] == pending
    # And through /metrics.
    samples = scrape()
    assert samples[("motcua_dossiers_overdue", (("unit", "058"),))] == 1


@pytest.mark.django_db
def test_other_apps_gauges_and_a_failing_one(signals):
    def broken():
        raise RuntimeError("outbox table away")

    register_gauge(
        Gauge(
            name="motcua_test_outbox_lag_seconds",
            documentation="Age of the oldest undelivered event (test).",
            labels=("subscription",),
            read=lambda: [(("s1",), 12.5), (("s2",), 0)],
        )
    )
    register_gauge(Gauge("motcua_test_broken", "Always fails (test).", (), broken))
    try:
        samples = scrape()
    finally:
        unregister_gauge("motcua_test_outbox_lag_seconds")
        unregister_gauge("motcua_test_broken")
    assert samples[("motcua_test_outbox_lag_seconds", (("subscription", "s1"),))] == 12.5
    assert samples[("motcua_test_outbox_lag_seconds", (("subscription", "s2"),))] == 0
    ok = "motcua_metrics_gauge_ok"
    assert samples[(ok, (("gauge", "motcua_test_outbox_lag_seconds"),))] == 1
    assert samples[(ok, (("gauge", "motcua_test_broken"),))] == 0
    assert not any(name == "motcua_test_broken" for name, _ in samples)
    with pytest.raises(ValueError):
        register_gauge(Gauge("bad name", "", (), lambda: []))


# -- the request id: header, log lines, jobs -------------------------------------------------


@pytest.mark.django_db
def test_request_id_from_a_trusted_proxy_only_and_well_formed(signals):
    client = Client()
    mine = client.get("/dang-nhap/")["X-Request-ID"]
    assert HEX32.fullmatch(mine)
    assert client.get("/dang-nhap/")["X-Request-ID"] != mine
    # Not behind a proxy: a client's id is not believed.
    sent = {"HTTP_X_REQUEST_ID": "proxy-id-123", "REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/dang-nhap/", **sent)["X-Request-ID"] != "proxy-id-123"
    signals.BEHIND_PROXY = True
    signals.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/dang-nhap/", **sent)["X-Request-ID"] == "proxy-id-123"
    # From elsewhere, or malformed (a log injection), a new one.
    other = {**sent, "REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/dang-nhap/", **other)["X-Request-ID"] != "proxy-id-123"
    bad = {**sent, "HTTP_X_REQUEST_ID": 'x"\n{"level": "CRITICAL"}'}
    assert HEX32.fullmatch(client.get("/dang-nhap/", **bad)["X-Request-ID"])


def _run_tasks(worker_id: str = "test:1") -> list[DBTaskResult]:
    """The ready tasks, each claimed and run by the worker's own ``run_task`` (the loop
    around it closes connections, which a test's transaction does not survive)."""
    worker = JobWorker(
        queue_names=["*"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = []
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim(worker_id)
        worker.run_task(result)
        ran.append(result)
    return ran


@pytest.mark.django_db
def test_a_requests_id_is_in_its_log_lines_and_in_its_jobs(signals):
    loggers = ("motcua.access", "motcua.ops.tests.view", "motcua.ops.tests.job")
    with Captured(*loggers) as logs:
        response = Client().get("/signals-test/enqueue", {"text": "from-the-counter"})
        request_id = response["X-Request-ID"]
        (task,) = DBTaskResult.objects.all()
        assert task.args_kwargs == {
            "args": ["from-the-counter"],
            "kwargs": {},
            "request_id": request_id,
        }
        (ran,) = _run_tasks()
    assert ran.status == "SUCCESSFUL"
    assert ran.return_value == "from-the-counter"
    (view,) = logs.of("motcua.ops.tests.view")
    (access,) = logs.of("motcua.access")
    (job,) = logs.of("motcua.ops.tests.job")
    assert view["request_id"] == access["request_id"] == job["request_id"] == request_id
    assert job["message"] == "job noted from-the-counter"
    assert access["message"] == "GET signals_enqueue 200"
    assert {k: access[k] for k in ("level", "route", "method", "status", "path")} == {
        "level": "INFO",
        "route": "signals_enqueue",
        "method": "GET",
        "status": 200,
        "path": "/signals-test/enqueue",
    }
    assert isinstance(access["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", access["time"])


@pytest.mark.django_db
def test_a_job_enqueued_outside_a_request_logs_under_its_own_id(signals):
    with Captured("motcua.ops.tests.job") as logs:
        result = note.enqueue("nightly")
        assert "request_id" not in DBTaskResult.objects.get(pk=result.id).args_kwargs
        _run_tasks()
    (job,) = logs.of("motcua.ops.tests.job")
    assert job["request_id"] == f"task-{result.id}"


def test_text_and_json_formats_keep_extras_and_tracebacks():
    from motcua.lib.requestid import TextFormatter, request_id_bound

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger("motcua.ops.tests.format")
    logger.addHandler(handler)
    try:
        with request_id_bound("abc123"):
            logger.warning("hello %s", "Đức Xuân", extra={"status": 503})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().split("\n", 1)
    assert first.endswith("WARNING motcua.ops.tests.format [abc123] hello Đức Xuân status=503")
    assert "[-] failed" in second
    assert "ValueError: boom" in second
    record = logging.LogRecord("x", logging.ERROR, "f", 1, "m", None, None)
    assert "request_id" not in json.loads(JsonFormatter().format(record))


# Committed rows: on PostgreSQL the feed reads only below the oldest running transaction.
@pytest.mark.django_db(transaction=True)
def test_feed_consumers_lag_and_the_national_sync_backlog(signals, django_assert_max_num_queries):
    from motcua.dossiers.feed import START, feed_advance, feed_read
    from motcua.dossiers.models import DossierEvent, FeedCursor
    from motcua.national.models import NationalRecord
    from motcua.ops.metrics import outbox_gauges

    world = build_world()
    first, second, third = (world.create(at=f"0{day}/01/2024 08:00") for day in (2, 3, 4))
    FeedCursor.objects.create(name="webhooks")  # read nothing yet
    caught_up = FeedCursor.objects.create(name="national")
    feed_advance(caught_up, feed_read(after=START, limit=100).position)
    NationalRecord.objects.create(dossier=first, code=first.code, pending=True)
    NationalRecord.objects.create(dossier=second, code=second.code, pending=True, attempts=3)
    NationalRecord.objects.create(dossier=third, code=third.code, pending=False, attempts=1)

    now = timezone.now()
    # Events are append-only: the oldest is as old as the test.
    oldest = DossierEvent.objects.order_by("id").first().recorded_at
    with django_assert_max_num_queries(8):  # cursors, two feed reads of one event, counts
        families = outbox_gauges(now)
    values = {(f.name, tuple(s.labels.values())): s.value for f in families for s in f.samples}
    lag = values[("motcua_feed_consumer_lag_seconds", ("webhooks",))]
    assert lag > 0
    assert lag == pytest.approx((now - oldest).total_seconds(), abs=0.001)
    assert values[("motcua_feed_consumer_lag_seconds", ("national",))] == 0
    assert values[("motcua_national_sync_pending", ())] == 2
    assert values[("motcua_national_sync_failing", ())] == 1
    assert values[("motcua_national_sync_uncertain", ())] == 0
    assert scrape()[("motcua_national_sync_pending", ())] == 2


@pytest.mark.django_db
def test_webhook_outbox_pending_failed_and_oldest(signals, django_assert_num_queries):
    from motcua.accounts.services import user_create_or_update
    from motcua.api.models import ApiClient, WebhookDelivery, WebhookSubscription
    from motcua.ops.metrics import webhook_gauges

    world = build_world()
    dossier = world.create()
    events = list(dossier.events.order_by("seq")) * 3
    now = timezone.now()
    client = ApiClient.objects.create(
        name="Cổng tỉnh",
        client_id="tinh",
        secret_hash="x",
        grant="g",
        user=user_create_or_update(username="svc-tinh", full_name="Cổng tỉnh"),
        not_before=now,
        created_at=now,
    )
    active, failing = (
        WebhookSubscription.objects.create(
            client=client,
            target_url="https://example.test/h",
            secret="s",
            created_at=now,
            state=state,
        )
        for state in ("active", "failing")
    )

    def delivery(n, subscription, *, attempts=0, state="pending", age=0):
        WebhookDelivery.objects.create(
            subscription=subscription,
            event=events[n],
            dossier=dossier,
            message_id=f"m{n}",
            body="{}",
            state=state,
            attempts=attempts,
            next_attempt_at=now,
            created_at=now - timedelta(seconds=age),
        )

    delivery(0, active, age=30)
    delivery(1, failing, attempts=4, age=700)
    delivery(2, active, state="delivered", age=9000)  # delivered: not waiting
    with django_assert_num_queries(2):
        families = webhook_gauges(now)
    values = {(f.name, tuple(s.labels.values())): s.value for f in families for s in f.samples}
    assert values == {
        ("motcua_webhook_deliveries_pending", ()): 2,
        ("motcua_webhook_deliveries_failed", ()): 1,
        ("motcua_webhook_oldest_pending_age_seconds", ()): 700,
        ("motcua_webhook_subscriptions", ("active",)): 1,
        ("motcua_webhook_subscriptions", ("failing",)): 1,
        ("motcua_webhook_subscriptions", ("disabled",)): 0,
    }


def test_one_request_id_from_the_web_process_log_to_the_worker_process_log(
    tmp_path, process_databases
):
    """Separate processes on one database, each with the settings' own JSON logging on
    stderr: the request's access line, the task it enqueued run by `motcua worker`, and the
    worker's heartbeat making /readyz ready."""
    from motcua.dossiers.tests.test_concurrency import worker as concurrency_setup

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "motcua.test_settings"
    # The concurrency tests' database (migrated, a small world), made once per session.
    env, _ = process_databases.fresh(
        "concurrency", env, tmp_path / "data", lambda setup: concurrency_setup(setup, "setup")
    )
    env.update(
        MOTCUA_LOG_FORMAT="json",
        MOTCUA_LOG_LEVEL="WARNING",
        MOTCUA_ACCESS_LOG_LEVEL="INFO",
        MOTCUA_WORKER_STALE_SECONDS="60",
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def json_lines(text: str) -> list[dict]:
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    try:
        web = run("motcua.ops.tests.signals_process", "request", "across-processes")
        request_id = web.stdout.strip()
        assert HEX32.fullmatch(request_id)
        lines = json_lines(web.stderr)
        (access,) = [line for line in lines if line["logger"] == "motcua.access"]
        assert access["request_id"] == request_id
        assert access["route"] == "signals_enqueue"

        worker = run("motcua", "worker", "--once", "--no-scheduler")
        assert "note('across-processes') -> across-processes" in worker.stdout
        (job,) = [x for x in json_lines(worker.stderr) if x["logger"] == "motcua.ops.tests.job"]
        assert job["request_id"] == request_id
        assert job["message"] == "job noted across-processes"

        status, body = run("motcua.ops.tests.signals_process", "readyz").stdout.split(" ", 1)
        assert status == "200", body
        assert json.loads(body)["checks"]["worker"]["ok"] is True
    finally:
        process_databases.drop(env)


def test_a_record_factorys_own_attributes_are_not_printed_as_extras():
    # ocrmypdf (imported by the digitise app) installs a record factory adding ``pageno`` to
    # every record; the log lines must still carry only what a call passed with ``extra=``.
    from motcua.lib.requestid import JsonFormatter, TextFormatter

    previous = logging.getLogRecordFactory()

    def with_pageno(*args, **kwargs):  # type: ignore[no-untyped-def]
        record = previous(*args, **kwargs)
        record.pageno = None
        return record

    logging.setLogRecordFactory(with_pageno)
    try:
        record = logging.getLogger("motcua.test").makeRecord(
            "motcua.test", logging.INFO, __file__, 1, "hello", None, None, extra={"status": 200}
        )
        assert TextFormatter().format(record).endswith("hello status=200")
        assert "pageno" not in json.loads(JsonFormatter().format(record))
    finally:
        logging.setLogRecordFactory(previous)
