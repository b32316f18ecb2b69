"""``motcua worker``: the background worker. Runs the queue's tasks (django-tasks-db's own
worker loop) and, in the same process, the scheduler that enqueues the periodic jobs.

motcua worker                                  run until SIGTERM/SIGINT (Ctrl+C)
motcua worker --once                           one scheduler tick, the queue until empty, exit
motcua worker --once --at "12/04/2024 16:30"   as if it were that moment (tests, demos)
motcua worker --interval 10                    tick every 10 s (MOTCUA_JOBS["TICK_SECONDS"])
motcua worker --no-scheduler                   only run tasks

Run as many as you like, on as many machines as share the database (docs/jobs.md).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.ledger_checkpoints import ledger_compact
from motcua.dossiers.tally import tally_compact
from motcua.jobs.backend import task_request_id
from motcua.jobs.choices import JobKind
from motcua.jobs.scheduler import schedule_tick
from motcua.jobs.selectors import heartbeat_seconds, jobs_config
from motcua.jobs.services import worker_heartbeat_beat, worker_heartbeats_prune
from motcua.lib.formatting import format_moment
from motcua.lib.parsing import parse_moment
from motcua.lib.requestid import request_id_bound

logger = logging.getLogger(__name__)


class JobWorker(Worker):
    """django-tasks-db's worker (claiming, running and recording tasks, signal handling),
    keeping the tasks it ran so the command can report them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finished: list[DBTaskResult[Any, Any]] = []
        # Called after each task: a long backlog must not make the worker look gone.
        self.after_task: Callable[[], None] | None = None

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        # Logged under the id of the request that enqueued the task, or the task's own id
        # (motcua.jobs.backend; docs/deployment.md, "Signals").
        request_id = task_request_id(db_task_result) or f"task-{db_task_result.pk}"
        with request_id_bound(request_id):
            super().run_task(db_task_result)
        self.finished.append(db_task_result)
        if self.after_task is not None:
            self.after_task()


class Clock:
    """Now, or a pretended now: exactly ``--at`` for ``--once``, else running on from it."""

    def __init__(self, at: datetime | None, *, frozen: bool) -> None:
        self.at = at if frozen else None
        self.offset = at - timezone.now() if at else timedelta(0)

    def now(self) -> datetime:
        return self.at or timezone.now() + self.offset


def _seconds(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise CommandError(
            _("%(option)s: expected a number of seconds greater than zero, got %(value)r")
            % {"option": option, "value": text}
        )
    return value


class Command(BaseCommand):
    help = "Run background tasks and the scheduler of periodic jobs (docs/jobs.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="one scheduler tick, then run the queue until it is empty, then exit",
        )
        parser.add_argument(
            "--at", help='pretend it is this moment, "dd/mm/yyyy HH:MM" (Vietnam time)'
        )
        parser.add_argument(
            "--interval", help='seconds between scheduler ticks (MOTCUA_JOBS["TICK_SECONDS"])'
        )
        parser.add_argument(
            "--poll", default="1", help="seconds between looks at an empty queue (default 1)"
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="only run tasks; enqueue nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = jobs_config()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        at = None
        if options["at"]:
            try:
                at = parse_moment(options["at"], LOCAL_TZ)
            except ValueError:
                raise CommandError(
                    _("--at: %(value)r is not a date and time (dd/mm/yyyy HH:MM)")
                    % {"value": options["at"]}
                ) from None
        interval = (
            _seconds(options["interval"], "--interval")
            if options["interval"]
            else float(config.tick_seconds)
        )
        poll = _seconds(options["poll"], "--poll")
        if not isinstance(task_backends["default"], DatabaseBackend):
            raise CommandError(
                'TASKS["default"] must be django_tasks_db.DatabaseBackend for a worker'
            )
        # The library's worker logs every pass over the queue at INFO; keep that for -v 2.
        logging.getLogger("django_tasks_db").setLevel(
            logging.DEBUG if options["verbosity"] > 1 else logging.WARNING
        )
        scheduler = not options["no_scheduler"]
        clock = Clock(at, frozen=options["once"])
        worker = JobWorker(
            queue_names=["*"],
            interval=poll,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}:{os.getpid()}"[:64],
            excluded_queue_names=[],
        )
        worker.after_task = partial(self._heartbeat, worker)
        worker.configure_signals()
        try:
            if options["once"]:
                self._once(worker, clock, scheduler)
            else:
                self._forever(worker, clock, scheduler, interval, poll)
        except SystemExit:
            # The worker's signal handler exits while the loop waits (nothing is half done).
            self.stdout.write(_("Worker stopped."))
            raise
        finally:
            worker.reset_signals()

    # -- the two ways to run --------------------------------------------------------------

    def _once(self, worker: JobWorker, clock: Clock, scheduler: bool) -> None:
        self._heartbeat(worker)
        if scheduler:
            self._tick(worker, clock)
        if worker.running:
            worker.run()
        self._webhooks(worker)
        failed = self._report(worker)
        if failed:
            raise CommandError(
                _("%(count)d job(s) failed; the next run tries them again.") % {"count": failed}
            )

    def _forever(
        self, worker: JobWorker, clock: Clock, scheduler: bool, interval: float, poll: float
    ) -> None:
        self.stdout.write(
            _("Worker %(id)s started (scheduler: %(scheduler)s). Stop with Ctrl+C or SIGTERM.")
            % {"id": worker.worker_id, "scheduler": _("on") if scheduler else _("off")}
        )
        next_tick = 0.0
        self._prune_heartbeats()
        while worker.running:
            self._heartbeat(worker)
            if scheduler and time.monotonic() >= next_tick:
                try:
                    self._tick(worker, clock)
                except Exception:
                    # A database that is away for a moment must not end the worker: the
                    # next tick enqueues whatever this one did not.
                    logger.exception("scheduler tick failed")
                    close_old_connections()
                next_tick = time.monotonic() + interval
            if worker.running:
                worker.run()  # batch mode: every ready task, then back here
                self._report(worker)
            self._webhooks(worker)
            if worker.running:
                wait = min(poll, max(0.0, next_tick - time.monotonic())) if scheduler else poll
                time.sleep(wait)
        self.stdout.write(_("Worker stopped."))

    # -- steps ----------------------------------------------------------------------------

    _next_compaction = 0.0  # monotonic moment of this process's next ledger compaction
    _next_heartbeat = 0.0  # monotonic moment of this process's next heartbeat
    _started_at: datetime | None = None

    def _heartbeat(self, worker: JobWorker) -> None:
        """Record that this worker is alive, at most every MOTCUA_WORKER_HEARTBEAT_SECONDS
        (``/readyz`` asks for a worker seen within MOTCUA_WORKER_STALE_SECONDS). On the real
        clock, not ``--at``'s: it tells operators about now."""
        if time.monotonic() < self._next_heartbeat:
            return
        now = timezone.now()
        self._started_at = self._started_at or now
        try:
            worker_heartbeat_beat(
                worker_id=worker.worker_id,
                host=socket.gethostname(),
                started_at=self._started_at,
                now=now,
            )
        except Exception:
            # As for a tick: a database away for a moment must not end the worker.
            logger.exception("worker heartbeat failed")
            close_old_connections()
        self._next_heartbeat = time.monotonic() + heartbeat_seconds()

    def _prune_heartbeats(self) -> None:
        # Rows of workers gone for a day (restarted: a new pid, a new row) are forgotten.
        try:
            worker_heartbeats_prune(before=timezone.now() - timedelta(days=1))
        except Exception:
            logger.exception("pruning old worker heartbeats failed")
            close_old_connections()

    def _compact(self) -> None:
        """Fold the ledger's delta rows written since the last fold, every COMPACT_SECONDS.

        Between workers nothing is coordinated but the fold itself (an advisory lock inside
        ``ledger_compact``), and a fold with nothing new costs two indexed reads."""
        every = jobs_config().compact_seconds
        if not every or time.monotonic() < self._next_compaction:
            return
        folded = ledger_compact()
        if folded:
            logger.info("ledger compaction folded %d rows", folded)
        # The end-of-day page's tally: yesterday folded as soon as the fold allows it.
        folded = tally_compact(timezone.now())
        if folded:
            logger.info("pending tally compaction folded %d rows", folded)
        self._next_compaction = time.monotonic() + every

    _next_national = 0.0  # monotonic moment of this process's next national portal sync

    def _national(self, now: datetime) -> None:
        """Every MOTCUA_NATIONAL["SYNC_SECONDS"], when the sync is on: read the feed, send
        what waits, and once a day reconcile yesterday (docs/national.md). A portal that is
        away must not end the worker: its dossiers wait and are retried."""
        from motcua.national.selectors import national_config
        from motcua.national.services import national_tick

        if time.monotonic() < self._next_national:
            return
        try:
            config = national_config()
            if config.enabled:
                report = national_tick(now=now, log=self.stdout.write)
                if report is not None and (report.sent or report.failed):
                    logger.info(
                        "national portal: %d events acknowledged, %d dossiers failing",
                        report.sent,
                        len(report.failed),
                    )
            self._next_national = time.monotonic() + max(1, config.sync_seconds)
        except Exception:
            logger.exception("national portal sync failed")
            close_old_connections()
            self._next_national = time.monotonic() + 60

    def _webhooks(self, worker: JobWorker) -> None:
        """Every pass (about once a second): fan the new events out to the webhook
        subscriptions and send what is due (api.webhooks; docs/api.md "Webhooks"). Real time,
        not ``--at``'s: retries are scheduled from it. A receiver or a database away for a
        moment must not end the worker: the deliveries stay pending."""
        from motcua.api.webhooks import webhooks_run

        if not worker.running:
            return
        worker.running_task = True  # a signal waits for the pass's end
        try:
            report = webhooks_run()
            if report.sent:
                logger.info(
                    "webhooks: %d sent, %d delivered, %d failed",
                    report.sent,
                    report.delivered,
                    report.failed,
                )
        except Exception:
            logger.exception("webhook delivery failed")
            close_old_connections()
        finally:
            worker.running_task = False

    def _tick(self, worker: JobWorker, clock: Clock) -> None:
        # A signal during the tick waits for its end (the worker treats it like a task).
        worker.running_task = True
        try:
            self._compact()
            now = clock.now()
            self._national(now)
            for item in schedule_tick(now=now):
                self.stdout.write(
                    _("Enqueued: %(job)s%(unit)s, %(day)s (attempt %(attempt)d) at %(now)s")
                    % {
                        "job": JobKind(item.kind).label,
                        "unit": f" {item.label}" if item.label else "",
                        "day": item.day.strftime("%d/%m/%Y"),
                        "attempt": item.attempt,
                        "now": format_moment(now),
                    }
                )
        finally:
            worker.running_task = False

    def _report(self, worker: JobWorker) -> int:
        """Print the tasks run since the last report; the number that failed."""
        failed = 0
        for result in worker.finished:
            name = result.task_path.rsplit(".", 1)[-1]
            args = "(" + ", ".join(repr(arg) for arg in result.args_kwargs["args"]) + ")"
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(
                    _("Done: %(task)s%(args)s -> %(value)s")
                    % {
                        "task": name,
                        "args": args,
                        "value": result.return_value,
                    }
                )
            else:
                failed += 1
                lines = [line for line in (result.traceback or "").splitlines() if line.strip()]
                self.stderr.write(
                    _("Failed: %(task)s%(args)s: %(error)s")
                    % {
                        "task": name,
                        "args": args,
                        "error": lines[-1] if lines else result.exception_class_path,
                    }
                )
        worker.finished.clear()
        return failed
