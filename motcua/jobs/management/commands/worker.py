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
from datetime import datetime, timedelta
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
from motcua.jobs.choices import JobKind
from motcua.jobs.scheduler import schedule_tick
from motcua.jobs.selectors import jobs_config
from motcua.lib.formatting import format_moment
from motcua.lib.parsing import parse_moment

logger = logging.getLogger(__name__)


class JobWorker(Worker):
    """django-tasks-db's worker (claiming, running and recording tasks, signal handling),
    keeping the tasks it ran so the command can report them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finished: list[DBTaskResult[Any, Any]] = []

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        super().run_task(db_task_result)
        self.finished.append(db_task_result)


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
        if scheduler:
            self._tick(worker, clock)
        if worker.running:
            worker.run()
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
        while worker.running:
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
            if worker.running:
                wait = min(poll, max(0.0, next_tick - time.monotonic())) if scheduler else poll
                time.sleep(wait)
        self.stdout.write(_("Worker stopped."))

    # -- steps ----------------------------------------------------------------------------

    _next_compaction = 0.0  # monotonic moment of this process's next ledger compaction

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
        self._next_compaction = time.monotonic() + every

    def _tick(self, worker: JobWorker, clock: Clock) -> None:
        # A signal during the tick waits for its end (the worker treats it like a task).
        worker.running_task = True
        try:
            self._compact()
            now = clock.now()
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
