"""Prometheus metrics at ``/metrics`` (docs/deployment.md, "Signals").

Two kinds of series, kept apart because they live in different places:

- **Per process**: the request latency histogram, observed by every web process
  (``motcua.ops.middleware``). Under several processes (gunicorn workers, several machines)
  a scrape reaches one of them, so when ``PROMETHEUS_MULTIPROC_DIR`` is set (it must be, in
  the environment, before the process starts) each process writes its observations to files
  there and a scrape adds up every process's files (prometheus_client's multiprocess mode).
  One folder per machine, emptied when the service starts (the systemd unit's
  ``ExecStartPre``); a process that died keeps counting in the sums, as a counter should.
  Without the variable (one process: development, tests), they stay in memory.
- **From the database**, read at scrape time, so every process answers the same: the task
  queue's depth and the age of its oldest ready task, the workers seen, the dossiers pending,
  overdue and due today per receiving unit, the change feed's consumers' lag and the
  national sync's waiting and failing records, the webhooks' pending and failed deliveries,
  and the gauges other apps register (``motcua.lib.gauges``). Each is a fixed number of
  grouped queries over the *pending* rows (never a query per unit, never a scan of history),
  kept for ``MOTCUA_METRICS_CACHE_SECONDS`` (default 10) so two Prometheus servers or an
  impatient operator cost one round.

Labels are bounded: a route is the URL pattern's name (``reports:dashboard``), never the path;
a method outside the usual few is ``other``; a status is its class (``2xx``); a unit is a
receiving unit's code, for units that have pending dossiers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from motcua.api.choices import DeliveryState, WebhookState
from motcua.api.models import WebhookDelivery, WebhookSubscription
from motcua.core import workflow
from motcua.dossiers.feed import cursor_position, feed_read
from motcua.dossiers.models import Dossier, FeedCursor
from motcua.dossiers.selectors import DueSoon, due_soon_q, due_windows, overdue_q
from motcua.jobs.selectors import task_queue_depths, worker_stale_seconds, workers_seen_since
from motcua.lib.gauges import registered_gauges
from motcua.national.models import NationalRecord

logger = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds: a page's budget is 0,5-2 s (docs/performance.md); reports and exports may take 30.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# The per-process registry: only the request histogram. In multiprocess mode its values are
# files in PROMETHEUS_MULTIPROC_DIR whatever registry holds it.
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time from the request reaching Django to its response's headers, by route (the URL "
    "pattern's name), method and status class.",
    ("route", "method", "status"),
    buckets=LATENCY_BUCKETS,
    registry=PROCESS_REGISTRY,
)


def multiprocess() -> bool:
    """Whether observations go to PROMETHEUS_MULTIPROC_DIR (prometheus_client decides it from
    the environment when it is first imported, so it is read the same way)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    REQUEST_LATENCY.labels(
        route=route,
        method=method if method in METHODS else "other",
        status=f"{status // 100}xx" if 100 <= status < 600 else "other",
    ).observe(seconds)


# -- read from the database at scrape time --------------------------------------------------


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment else 0.0


def dossier_gauges(now: datetime) -> list[Metric]:
    """Dossiers pending, overdue and due today per receiving unit: one grouped query over the
    pending dossiers (the (status, effective_due_at) and (receiving_unit, status, ...)
    indexes), with the one definition of overdue and due today (dossiers.selectors)."""
    windows = due_windows(None, now)  # "today" is the same day in every unit's calendar
    rows = (
        Dossier.objects.filter(status__in=[s.value for s in workflow.PENDING])
        .order_by()
        .values("receiving_unit__code")
        .annotate(
            pending=Count("pk"),
            overdue=Count("pk", filter=overdue_q(now)),
            due_today=Count("pk", filter=due_soon_q(windows, DueSoon.TODAY)),
        )
    )
    families = {
        "pending": GaugeMetricFamily(
            "motcua_dossiers_pending",
            "Dossiers received and not yet resolved, by receiving unit.",
            labels=("unit",),
        ),
        "overdue": GaugeMetricFamily(
            "motcua_dossiers_overdue",
            "Pending dossiers past their due moment (dossiers.selectors.overdue_q), by "
            "receiving unit.",
            labels=("unit",),
        ),
        "due_today": GaugeMetricFamily(
            "motcua_dossiers_due_today",
            "Pending dossiers due before midnight, not overdue, clock running "
            "(dossiers.selectors.due_soon_q), by receiving unit.",
            labels=("unit",),
        ),
    }
    for row in rows:
        unit = row["receiving_unit__code"] or "none"
        families["pending"].add_metric((unit,), row["pending"])
        families["overdue"].add_metric((unit,), row["overdue"])
        families["due_today"].add_metric((unit,), row["due_today"])
    return list(families.values())


def queue_gauges(now: datetime) -> list[Metric]:
    """The task queue (django-tasks-db) and the workers' heartbeat."""
    ready = GaugeMetricFamily(
        "motcua_task_queue_ready",
        "Background tasks ready to run now, by queue.",
        labels=("queue",),
    )
    age = GaugeMetricFamily(
        "motcua_task_queue_oldest_age_seconds",
        "How long the oldest ready task has waited, by queue (0: none waiting).",
        labels=("queue",),
    )
    depths = task_queue_depths(now)
    for queue in sorted({"default"} | {d.queue for d in depths}):
        found = next((d for d in depths if d.queue == queue), None)
        ready.add_metric((queue,), found.ready if found else 0)
        age.add_metric((queue,), _seconds_since(found.oldest if found else None, now))
    stale = worker_stale_seconds() or 120
    workers = GaugeMetricFamily(
        "motcua_workers_alive",
        "`motcua worker` processes seen within MOTCUA_WORKER_STALE_SECONDS.",
        value=workers_seen_since(now - timedelta(seconds=stale)),
    )
    return [ready, age, workers]


def outbox_gauges(now: datetime) -> list[Metric]:
    """How far behind the change feed's consumers are (the webhooks' fan-out, the national
    portal sync: ``dossiers.feed``), and the national sync's records waiting or failing.

    A consumer's lag is the age of the first event it has not read yet (0: it is caught up):
    one feed read of one event per consumer, a handful of consumers. The national counts are
    one aggregate over the records with events waiting (its (pending, next_attempt_at)
    index), not over every record ever synced."""
    lag = GaugeMetricFamily(
        "motcua_feed_consumer_lag_seconds",
        "Age of the oldest dossier event a change-feed consumer has not read yet (0: caught "
        "up), by consumer (webhooks fan-out, national sync).",
        labels=("consumer",),
    )
    for cursor in FeedCursor.objects.order_by("name"):
        page = feed_read(after=cursor_position(cursor), limit=1)
        oldest = page.events[0].recorded_at if page.events else None
        lag.add_metric((cursor.name,), _seconds_since(oldest, now))
    waiting = NationalRecord.objects.filter(pending=True).aggregate(
        pending=Count("pk"),
        failing=Count("pk", filter=Q(attempts__gt=0)),
        uncertain=Count("pk", filter=Q(uncertain=True)),
    )
    national = [
        GaugeMetricFamily(
            "motcua_national_sync_pending",
            "Dossiers with events not yet acknowledged by the National Public Service Portal.",
            value=waiting["pending"],
        ),
        GaugeMetricFamily(
            "motcua_national_sync_failing",
            "Of those, dossiers whose last delivery attempt failed (retried with back-off).",
            value=waiting["failing"],
        ),
        GaugeMetricFamily(
            "motcua_national_sync_uncertain",
            "Of those, dossiers whose last attempt's outcome is unknown (reconciled later).",
            value=waiting["uncertain"],
        ),
    ]
    return [lag, *national, *webhook_gauges(now)]


def webhook_gauges(now: datetime) -> list[Metric]:
    """The webhooks' outbox (api.webhooks): deliveries waiting, those that failed at least
    once, the oldest one's age (one aggregate over the pending rows, the partial index on
    them), and the subscriptions by state (a small table)."""
    waiting = WebhookDelivery.objects.filter(state=DeliveryState.PENDING).aggregate(
        pending=Count("pk"),
        failed=Count("pk", filter=Q(attempts__gt=0)),
        oldest=Min("created_at"),
    )
    subscriptions = GaugeMetricFamily(
        "motcua_webhook_subscriptions",
        "Webhook subscriptions by state (active, failing: retried slowly, disabled).",
        labels=("state",),
    )
    by_state = dict(
        WebhookSubscription.objects.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    for state in WebhookState:
        subscriptions.add_metric((state.value,), by_state.get(state.value, 0))
    return [
        GaugeMetricFamily(
            "motcua_webhook_deliveries_pending",
            "Webhook deliveries not yet accepted by their receiver.",
            value=waiting["pending"],
        ),
        GaugeMetricFamily(
            "motcua_webhook_deliveries_failed",
            "Of those, deliveries whose receiver refused or failed at least one attempt.",
            value=waiting["failed"],
        ),
        GaugeMetricFamily(
            "motcua_webhook_oldest_pending_age_seconds",
            "How long the oldest pending webhook delivery has waited (0: none).",
            value=_seconds_since(waiting["oldest"], now),
        ),
        subscriptions,
    ]


def registered_gauge_families() -> list[Metric]:
    """The gauges other apps registered (motcua.lib.gauges); a failing one is left out and
    flagged in ``motcua_metrics_gauge_ok``, the others still answer."""
    ok = GaugeMetricFamily(
        "motcua_metrics_gauge_ok",
        "1 if the registered gauge answered this scrape, 0 if reading it failed.",
        labels=("gauge",),
    )
    families: list[Metric] = []
    for gauge in registered_gauges():
        family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
        try:
            for labels, value in gauge.read():
                family.add_metric(tuple(str(x) for x in labels), float(value))
        except Exception:
            logger.exception("gauge %s failed", gauge.name)
            ok.add_metric((gauge.name,), 0)
            continue
        ok.add_metric((gauge.name,), 1)
        families.append(family)
    return [*families, ok]


class DatabaseCollector:
    """What the database says now, read once per scrape (or per cache period)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Metric]] | None = None

    def describe(self) -> Iterable[Metric]:
        return []  # names are not checked against the process registry's

    def read(self) -> list[Metric]:
        now = timezone.now()
        started = time.perf_counter()
        families = [
            *queue_gauges(now),
            *dossier_gauges(now),
            *outbox_gauges(now),
            *registered_gauge_families(),
        ]
        families.append(
            GaugeMetricFamily(
                "motcua_metrics_database_read_seconds",
                "Time the last reading of the database gauges took.",
                value=time.perf_counter() - started,
            )
        )
        return families

    def collect(self) -> Iterator[Metric]:
        keep = float(getattr(settings, "MOTCUA_METRICS_CACHE_SECONDS", 10))
        with self._lock:
            cached = self._cached
            if cached is None or time.monotonic() - cached[0] >= keep:
                cached = (time.monotonic(), self.read())
                self._cached = cached
        yield from cached[1]

    def forget(self) -> None:
        with self._lock:
            self._cached = None


DATABASE_COLLECTOR = DatabaseCollector()


def render() -> bytes:
    """The text exposition of every series: this process's (or, in multiprocess mode, every
    process's) request histogram, then the database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(DATABASE_COLLECTOR)
    return generate_latest(registry)
