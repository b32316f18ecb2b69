"""The background jobs (django-tasks, run by `motcua worker`): ids and ISO dates in, a service
call, idempotent (house style R9). The scheduler (``jobs.scheduler``) enqueues them after its
claim commits; any of them may also be enqueued by hand, and running one twice does no harm.
"""

from __future__ import annotations

from datetime import date, datetime

from django_tasks import task
from django_tasks.base import Task

from motcua.core.clock import LOCAL_TZ
from motcua.jobs.choices import JobKind
from motcua.jobs.services import digest_send, job_run_once, reporting_to_schedule


@task()
def send_unit_digest(unit_id: int, day_iso: str) -> int:
    """The end-of-day digest of one unit for one local day, to each of its leaders once."""
    day = date.fromisoformat(day_iso)
    with reporting_to_schedule(JobKind.DIGEST, str(unit_id), day):
        return digest_send(unit_id=unit_id, day=day)


@task()
def send_directive_reminders(at_iso: str) -> int:
    """``directives.services.directive_reminders_send(at=...)``, once a local day; the service
    itself keeps each directive to one reminder a day. Returns the reminders sent."""
    at = datetime.fromisoformat(at_iso)
    day = at.astimezone(LOCAL_TZ).date()
    with reporting_to_schedule(JobKind.REMINDERS, "", day):
        # Imported here: the directives app must not be needed to import the jobs.
        from motcua.directives.services import directive_reminders_send

        done = job_run_once(
            kind=JobKind.REMINDERS, key="", day=day, action=lambda: directive_reminders_send(at=at)
        )
        return done or 0


@task()
def take_indicator_snapshots(day_iso: str) -> int:
    """``steering.services.indicator_snapshots_take(on=...)``, once a local day; the service is
    idempotent too. Returns the rows written."""
    day = date.fromisoformat(day_iso)
    with reporting_to_schedule(JobKind.SNAPSHOTS, "", day):
        from motcua.steering.services import indicator_snapshots_take

        done = job_run_once(
            kind=JobKind.SNAPSHOTS, key="", day=day, action=lambda: indicator_snapshots_take(on=day)
        )
        return done or 0


@task()
def housekeeping(day_iso: str) -> int:
    """``jobs.housekeeping.housekeeping_run``, once a local day (every day, not only working
    days). Returns the rows deleted."""
    day = date.fromisoformat(day_iso)
    with reporting_to_schedule(JobKind.HOUSEKEEPING, "", day):
        from django.utils import timezone

        from motcua.jobs.housekeeping import housekeeping_run

        return sum(housekeeping_run(now=timezone.now()).values())


# The task the scheduler enqueues for each kind of job.
TASK_FOR_KIND: dict[JobKind, Task[..., int]] = {
    JobKind.DIGEST: send_unit_digest,
    JobKind.REMINDERS: send_directive_reminders,
    JobKind.SNAPSHOTS: take_indicator_snapshots,
    JobKind.HOUSEKEEPING: housekeeping,
}
