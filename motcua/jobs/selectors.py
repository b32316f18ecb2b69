"""Reads of the jobs app: the schedule's settings, who gets a digest, and what is due now."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, Count, Min, Q, When
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.clock.selectors import calendar_for
from motcua.core.clock import LOCAL_TZ
from motcua.jobs.choices import JobKind
from motcua.jobs.models import WorkerHeartbeat
from motcua.units.models import AdministrativeUnit

_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")

DEFAULTS: dict[str, Any] = {
    "DIGEST_TIME": "16:30",
    "REMINDER_TIME": "08:00",
    "SNAPSHOT_TIME": "17:30",
    # After office hours: the cleanup's deletes never compete with the counters' writes.
    "HOUSEKEEPING_TIME": "22:00",
    "TICK_SECONDS": 30,
    "RETRY_MINUTES": 10,
    # The figures' ledger takes one delta row per change (no row shared by writers); folding
    # them this often keeps a day's report reading a few rows per key, not one per change.
    "COMPACT_SECONDS": 300,
}


@dataclass(frozen=True)
class JobsConfig:
    """``settings.MOTCUA_JOBS``, checked: local times of the day, and the scheduler's pace."""

    digest_time: time
    reminder_time: time
    snapshot_time: time
    housekeeping_time: time
    tick_seconds: int
    retry_after: timedelta
    compact_seconds: int  # 0: only the nightly housekeeping folds the ledger


def _setting(name: str) -> Any:
    return getattr(settings, "MOTCUA_JOBS", {}).get(name, DEFAULTS[name])


def _local_time(name: str) -> time:
    text = str(_setting(name)).strip()
    match = _HH_MM.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ImproperlyConfigured(
            f'MOTCUA_JOBS["{name}"]={text!r}: expected a local time of day, HH:MM (e.g. 16:30)'
        )
    return time(int(match[1]), int(match[2]))


def _whole(name: str, least: int) -> int:
    value = _setting(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise ImproperlyConfigured(
            f'MOTCUA_JOBS["{name}"]={value!r}: expected a whole number of at least {least}'
        )
    return value


def jobs_config() -> JobsConfig:
    """The schedule; raises ``ImproperlyConfigured`` naming the bad entry."""
    return JobsConfig(
        digest_time=_local_time("DIGEST_TIME"),
        reminder_time=_local_time("REMINDER_TIME"),
        snapshot_time=_local_time("SNAPSHOT_TIME"),
        housekeeping_time=_local_time("HOUSEKEEPING_TIME"),
        tick_seconds=_whole("TICK_SECONDS", 1),
        retry_after=timedelta(minutes=_whole("RETRY_MINUTES", 1)),
        compact_seconds=_whole("COMPACT_SECONDS", 0),
    )


# -- who gets a digest --------------------------------------------------------------------


def digest_recipients(unit: AdministrativeUnit) -> list[User]:
    """The unit's leaders who can receive e-mail: active, with an address, holding the leader
    role granted on this unit itself (a province leader gets the province's digest, not one
    per district)."""
    return list(
        User.objects.filter(
            is_active=True,
            assignments__role=Role.LEADER,
            assignments__unit=unit,
        )
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


def digest_units(day: date) -> list[AdministrativeUnit]:
    """Units that existed on ``day`` and have at least one leader to send a digest to."""
    # One subquery: an exclude() across the relation would drop a unit for any grant to a
    # user without an address (a clerk's), not only for leaders without one.
    leaders = (
        RoleAssignment.objects.filter(role=Role.LEADER, user__is_active=True)
        .exclude(user__email="")
        .values("unit_id")
    )
    units = AdministrativeUnit.objects.filter(pk__in=leaders).order_by("code", "valid_from")
    return [unit for unit in units if unit.is_valid_on(day)]


# -- what is due --------------------------------------------------------------------------


@dataclass(frozen=True)
class DueJob:
    """A job whose time has come today: the scheduler enqueues ``kind`` with ``args`` once."""

    kind: JobKind
    key: str
    day: date
    args: list[Any]
    # For people reading the worker's output: the unit's code for a digest.
    label: str = ""


def jobs_due(now: datetime) -> list[DueJob]:
    """The jobs whose local time has passed today, on a working day.

    The digest follows each unit's own calendar (its province's days off and make-up
    Saturdays, §7); the reminders and the snapshots, which cover every unit, follow the
    nationwide calendar. A job whose time passed while no worker ran is still due until the
    end of the day (late is better than never; tomorrow it is not due any more). Each job
    runs "as of" its scheduled moment, whenever a worker picks it up, so every worker and
    every retry computes the same thing.
    """
    config = jobs_config()
    local = now.astimezone(LOCAL_TZ)
    day, clock = local.date(), local.time()
    due: list[DueJob] = []
    nationwide = calendar_for(on=day).is_working_day(day)
    if nationwide and clock >= config.reminder_time:
        at = datetime.combine(day, config.reminder_time, LOCAL_TZ)
        due.append(DueJob(JobKind.REMINDERS, "", day, [at.isoformat()]))
    if clock >= config.digest_time:
        for unit in digest_units(day):
            if calendar_for(unit, on=day).is_working_day(day):
                args = [unit.pk, day.isoformat()]
                due.append(DueJob(JobKind.DIGEST, str(unit.pk), day, args, unit.code))
    if nationwide and clock >= config.snapshot_time:
        due.append(DueJob(JobKind.SNAPSHOTS, "", day, [day.isoformat()]))
    # Every day, working or not: sessions and task results pile up on holidays too.
    if clock >= config.housekeeping_time:
        due.append(DueJob(JobKind.HOUSEKEEPING, "", day, [day.isoformat()]))
    return due


# -- the workers' heartbeat and the queue, for /readyz and /metrics (docs/deployment.md) ----


def heartbeat_seconds() -> int:
    """How often a worker's loop records that it is alive (MOTCUA_WORKER_HEARTBEAT_SECONDS)."""
    return max(1, int(getattr(settings, "MOTCUA_WORKER_HEARTBEAT_SECONDS", 15)))


def worker_stale_seconds() -> int:
    """A worker not seen for this long is gone (MOTCUA_WORKER_STALE_SECONDS); 0: no worker
    is expected, and readiness does not ask for one."""
    return max(0, int(getattr(settings, "MOTCUA_WORKER_STALE_SECONDS", 120)))


def worker_last_seen() -> datetime | None:
    """When a worker was last seen alive (None: never); one probe of an index."""
    return (
        WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    )


def workers_seen_since(since: datetime) -> int:
    """How many worker processes were seen alive since ``since``."""
    return WorkerHeartbeat.objects.filter(last_seen__gte=since).count()


@dataclass(frozen=True)
class QueueDepth:
    """One queue's tasks ready to run now, and since when the oldest of them waits."""

    queue: str
    ready: int
    oldest: datetime | None


def task_queue_depths(now: datetime) -> list[QueueDepth]:
    """The queues' ready tasks at ``now``, one grouped query over the ready rows only (the
    task table's partial index on PostgreSQL): its cost follows the backlog, not the history
    of finished tasks. A deferred task waits from its ``run_after``, not from its enqueuing."""
    never = get_date_max()
    waiting_since = Case(When(run_after=never, then="enqueued_at"), default="run_after")
    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .filter(Q(run_after=never) | Q(run_after__lte=now))
        .order_by()
        .values("queue_name")
        .annotate(ready=Count("pk"), oldest=Min(waiting_since))
    )
    return [QueueDepth(row["queue_name"], row["ready"], row["oldest"]) for row in rows]
