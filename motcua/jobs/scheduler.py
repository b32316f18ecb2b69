"""The scheduler of `motcua worker`: every tick, enqueue the periodic jobs whose time has come.

Any number of workers on any number of machines tick; each occurrence (kind, key, local day)
is enqueued once between them, because enqueuing starts with claiming its
:class:`~motcua.jobs.models.ScheduleMark` (a unique row), and the task goes into the queue
only after that claim commits (``transaction.on_commit``). A failed occurrence is enqueued
again ``MOTCUA_JOBS["RETRY_MINUTES"]`` after its last try, the same day only; so is one whose
enqueue was lost (the process died between the commit and the enqueue).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db import transaction

from motcua.core.clock import LOCAL_TZ
from motcua.jobs.choices import JobKind, MarkStatus
from motcua.jobs.models import ScheduleMark
from motcua.jobs.selectors import jobs_config, jobs_due
from motcua.jobs.services import (
    schedule_mark_claim,
    schedule_mark_enqueued,
    schedule_mark_reclaim,
)
from motcua.jobs.tasks import TASK_FOR_KIND

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Enqueued:
    """What one tick put in the queue."""

    kind: JobKind
    key: str
    day: date
    attempt: int
    label: str


def _enqueue(mark_id: int, kind: JobKind, args: list[Any]) -> None:
    # Runs after the claim committed; the task row and the mark's task id commit together.
    with transaction.atomic():
        result = TASK_FOR_KIND[kind].enqueue(*args)
        schedule_mark_enqueued(mark_id=mark_id, task_id=str(result.id))


def _notifications_sweep() -> None:
    # Applicants' messages due for a retry, or whose enqueue was lost: one sweep task, only
    # when there are any (one probe of a partial index). Two workers' sweeps do no harm: each
    # row is claimed by one of them (notify.services.notification_deliver). On the real
    # clock, not ``--at``'s: retries are scheduled from it.
    from django.utils import timezone

    from motcua.notify.selectors import notifications_due_exist
    from motcua.notify.tasks import deliver_due_notifications

    if notifications_due_exist(now=timezone.now()):
        deliver_due_notifications.enqueue()


def schedule_tick(*, now: datetime) -> list[Enqueued]:
    """Enqueue what is due at ``now`` and not yet enqueued today (or due for a retry)."""
    retry_after = jobs_config().retry_after
    _notifications_sweep()
    due = jobs_due(now)
    if not due:
        return []
    day = now.astimezone(LOCAL_TZ).date()
    marks = {(m.kind, m.key): m for m in ScheduleMark.objects.filter(day=day)}
    enqueued: list[Enqueued] = []
    for job in due:
        mark = marks.get((job.kind, job.key))
        with transaction.atomic():
            if mark is None:
                claimed = schedule_mark_claim(
                    kind=job.kind, key=job.key, day=job.day, args=job.args, now=now
                )
                if claimed is None:
                    continue  # another scheduler claimed it since we looked
                attempt, mark_id, args = 1, claimed.pk, job.args
            elif (
                mark.status in (MarkStatus.FAILED, MarkStatus.CLAIMED)
                and now >= mark.claimed_at + retry_after
                and schedule_mark_reclaim(mark=mark, now=now)
            ):
                attempt, mark_id, args = mark.attempts + 1, mark.pk, list(mark.args)
            else:
                continue
            transaction.on_commit(partial(_enqueue, mark_id, job.kind, args))
        logger.info("enqueued %s %s for %s (attempt %d)", job.kind, job.key, job.day, attempt)
        enqueued.append(Enqueued(job.kind, job.key, job.day, attempt, job.label))
    return enqueued
