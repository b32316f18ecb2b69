"""Writes of the jobs app: claiming a job before doing it, recording how it went, and the
end-of-day digest (house style R6, R9: claim in a short transaction, act after it commits).

Why a claim and not a check: two workers that both *check* "not sent yet" both send. The
unique (kind, key, day) row is inserted in a transaction of its own; the database lets one
insert through and refuses the other, so exactly one worker acts. A failed row is taken back
by compare-and-set (``UPDATE ... WHERE status = 'failed'``), with the same effect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial

from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import user_create_or_update
from motcua.core.clock import LOCAL_TZ
from motcua.jobs.choices import JobKind, MarkStatus, RunStatus
from motcua.jobs.digest import digest_message
from motcua.jobs.models import JobRun, ScheduleMark, WorkerHeartbeat
from motcua.jobs.selectors import digest_recipients, jobs_config
from motcua.reports.dashboard import end_of_day
from motcua.units.models import AdministrativeUnit

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """Some of a job's work failed; what succeeded is recorded and is not done again."""


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


# -- doing a thing once -------------------------------------------------------------------


def job_run_claim(*, kind: JobKind, key: str, day: date) -> JobRun | None:
    """Claim (kind, key, day) for this process, or None when it is done or being done.

    Durable: the claim is committed when this returns, so whatever the caller does next
    (send an e-mail) happens after every other worker can see the claim.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        run = JobRun.objects.select_for_update().filter(kind=kind, key=key, day=day).first()
        if run is None:
            run = JobRun(kind=kind, key=key, day=day, status=RunStatus.RUNNING, started_at=now)
            # The unique constraint is the claim, so it is not checked beforehand.
            run.full_clean(validate_unique=False, validate_constraints=False)
            try:
                with transaction.atomic():
                    run.save()
            except IntegrityError:
                return None  # another worker claimed it a moment ago
            return run
        if run.status != RunStatus.FAILED:
            return None
        taken = JobRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(
            status=RunStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, error=""
        )
        if taken != 1:
            return None
        run.refresh_from_db()
        return run


def job_run_finish(*, run: JobRun, result: int) -> None:
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.result = result
    run.save(update_fields=["status", "finished_at", "result"])


def job_run_fail(*, run: JobRun, error: BaseException) -> None:
    """Record that ``run`` failed before it did anything, so a later run may try again."""
    run.status = RunStatus.FAILED
    run.error = _error_text(error)
    run.save(update_fields=["status", "error"])


def job_run_once(*, kind: JobKind, key: str, day: date, action: Callable[[], int]) -> int | None:
    """Do ``action`` once for (kind, key, day) across every worker and every re-run.

    Returns what ``action`` returned, or None when another run did it or is doing it. If
    ``action`` raises, the run is recorded as failed and the error raised again: ``action``
    must raise only when it did nothing (an e-mail the server refused), never after.
    """
    run = job_run_claim(kind=kind, key=key, day=day)
    if run is None:
        return None
    try:
        result = action()
    except Exception as error:
        job_run_fail(run=run, error=error)
        raise
    job_run_finish(run=run, result=result)
    return result


# -- the scheduler's marks ----------------------------------------------------------------


def schedule_mark_claim(
    *, kind: JobKind, key: str, day: date, args: list[object], now: datetime
) -> ScheduleMark | None:
    """Claim today's occurrence of a job for this scheduler (None: another one has it).

    Call inside a transaction and enqueue the task with ``transaction.on_commit``.
    """
    mark = ScheduleMark(
        kind=kind, key=key, day=day, args=args, status=MarkStatus.CLAIMED, claimed_at=now
    )
    mark.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            mark.save()
    except IntegrityError:
        return None
    return mark


def schedule_mark_reclaim(*, mark: ScheduleMark, now: datetime) -> bool:
    """Take back a failed occurrence (or one whose enqueue was lost), by compare-and-set, so
    one scheduler among many enqueues it again."""
    taken = ScheduleMark.objects.filter(
        pk=mark.pk, status=mark.status, attempts=mark.attempts
    ).update(status=MarkStatus.CLAIMED, attempts=F("attempts") + 1, claimed_at=now, error="")
    return taken == 1


def schedule_mark_enqueued(*, mark_id: int, task_id: str) -> None:
    # Only a mark still waiting: a very fast worker may have finished the task already.
    ScheduleMark.objects.filter(pk=mark_id, status=MarkStatus.CLAIMED).update(
        status=MarkStatus.ENQUEUED, task_id=task_id
    )


def schedule_mark_record(*, kind: JobKind, key: str, day: date, error: str = "") -> None:
    """A task reports how it went to its occurrence (if the scheduler enqueued it)."""
    ScheduleMark.objects.filter(kind=kind, key=key, day=day).update(
        status=MarkStatus.FAILED if error else MarkStatus.DONE,
        finished_at=timezone.now(),
        error=error,
    )


@contextmanager
def reporting_to_schedule(kind: JobKind, key: str, day: date) -> Iterator[None]:
    """Record the task's outcome on its schedule mark; errors are raised again."""
    try:
        yield
    except Exception as error:
        schedule_mark_record(kind=kind, key=key, day=day, error=_error_text(error))
        raise
    schedule_mark_record(kind=kind, key=key, day=day)


# -- the end-of-day digest ----------------------------------------------------------------


def _send(message: mail.EmailMessage) -> int:
    """Send one message; raise only if the server did not take it.

    The connection is opened and closed here so that a failure while saying goodbye (after
    the server accepted the message) is not taken for a failure to send, which would send
    the message again on the next run.
    """
    connection = mail.get_connection(fail_silently=False)
    connection.open()
    try:
        sent = connection.send_messages([message]) or 0
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("closing the mail connection failed after sending", exc_info=True)
    if sent != 1:
        raise JobFailed(f"the mail server did not take the message to {message.to}")
    return sent


def digest_send(*, unit_id: int, day: date) -> int:
    """E-mail the end-of-day list of ``day`` to each leader of the unit, once per leader.

    The list is as of the digest time (``MOTCUA_JOBS["DIGEST_TIME"]``) of ``day``, whenever
    the task runs, so a retry sends what the first try would have sent. Returns the number of
    e-mails sent by this call; raises ``JobFailed`` if any leader's e-mail failed (the others
    are recorded as sent and are not sent again).
    """
    unit = AdministrativeUnit.objects.get(pk=unit_id)
    at = datetime.combine(day, jobs_config().digest_time, LOCAL_TZ)
    leaders = digest_recipients(unit)
    if not leaders:
        return 0
    eod = end_of_day(unit, at=at)
    sent = 0
    failures: list[str] = []
    for leader in leaders:
        message = digest_message(eod, leader)
        try:
            done = job_run_once(
                kind=JobKind.DIGEST,
                key=f"{unit.pk}:{leader.pk}",
                day=day,
                action=partial(_send, message),
            )
        except Exception as error:
            logger.warning("digest of %s to %s failed: %s", unit.code, leader.username, error)
            failures.append(f"{leader.username}: {_error_text(error)}")
            continue
        sent += done or 0
    if failures:
        raise JobFailed(
            f"digest of {unit.code} for {day.isoformat()}: sent {sent}, failed "
            + "; ".join(failures)
        )
    return sent


# -- demo ---------------------------------------------------------------------------------


def load_demo() -> int:
    """Give the demo's leaders an e-mail address (reserved .example domain), so the worker
    has someone to send the digest to; idempotent. Returns the number of addresses set."""
    count = 0
    leaders = User.objects.filter(assignments__role=Role.LEADER, email="").distinct()
    for user in leaders:
        user_create_or_update(
            username=user.username,
            full_name=user.full_name,
            email=f"{user.username}@motcua.example",
            phone=user.phone,
            position=user.position,
            is_staff=user.is_staff,
            is_superuser=user.is_superuser,
        )
        count += 1
    return count


# -- the workers' heartbeat -----------------------------------------------------------------


def worker_heartbeat_beat(
    *, worker_id: str, host: str, started_at: datetime, now: datetime
) -> None:
    """Record that worker ``worker_id`` is alive at ``now`` (one row per worker process,
    updated in place: one indexed UPDATE, an INSERT the first time)."""
    with transaction.atomic():
        updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
        if not updated:
            WorkerHeartbeat.objects.create(
                worker_id=worker_id, host=host[:255], started_at=started_at, last_seen=now
            )


def worker_heartbeats_prune(*, before: datetime) -> int:
    """Delete the rows of workers not seen since ``before`` (stopped or restarted ones)."""
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=before).delete()
    return deleted
