"""What the scheduler and the jobs have done, so that nothing is done twice.

Two tables, each with a unique (kind, key, local day) row that is *claimed* (inserted, or
moved from failed by compare-and-set) in a short transaction before the work starts; a second
worker or a re-run finds the row and stays away:

- :class:`ScheduleMark`: the scheduler enqueued this job for this day (one task per unit's
  digest, one for the reminders, one for the snapshots), so many `motcua worker` processes
  enqueue it once between them;
- :class:`JobRun`: this side effect was done (one digest e-mail to one leader; one call of the
  reminders or snapshots service), so a task that runs twice (enqueued twice, retried) still
  sends each e-mail once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.jobs.choices import JobKind, MarkStatus, RunStatus


class ScheduleMark(models.Model):
    """One scheduled occurrence of a periodic job: ``kind`` for ``key`` on local day ``day``.

    ``key`` tells occurrences of a kind apart on a day (the unit's id for a digest; empty for
    the reminders and the snapshots). ``claimed_at`` is on the scheduler's clock (which
    ``motcua worker --at`` moves), so retries are timed on the same clock as the schedule.
    """

    kind = models.CharField(_("job"), max_length=20, choices=JobKind.choices)
    key = models.CharField(_("key"), max_length=100, blank=True)
    day = models.DateField(_("day"))
    # The task's arguments, to enqueue it again after a failure.
    args = models.JSONField(_("arguments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MarkStatus.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    claimed_at = models.DateTimeField(_("claimed at"))
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["-day", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "day"], name="jobs_mark_once_a_day")
        ]
        indexes = [models.Index(fields=["day", "status"], name="jobs_mark_day_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} {self.day:%d/%m/%Y}".replace("  ", " ")


class JobRun(models.Model):
    """One side effect done once: ``kind`` for ``key`` on local day ``day``.

    For a digest the key is ``<unit id>:<user id>`` (one e-mail per leader); for the reminders
    and the snapshots it is empty. A row left ``running`` (the process died mid-send) is never
    retried automatically: the e-mail may have gone out, and a duplicate is worse than a gap.
    Deleting the row (administrator) allows one more try.
    """

    kind = models.CharField(_("job"), max_length=20, choices=JobKind.choices)
    key = models.CharField(_("key"), max_length=100, blank=True)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What the work returned (e-mails sent, rows written).
    result = models.IntegerField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-day", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "day"], name="jobs_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} {self.day:%d/%m/%Y}".replace("  ", " ")


class WorkerHeartbeat(models.Model):
    """A `motcua worker` process was alive at ``last_seen`` (its loop writes it at most every
    ``MOTCUA_WORKER_HEARTBEAT_SECONDS``); ``/readyz`` is not ready when no worker was seen
    for ``MOTCUA_WORKER_STALE_SECONDS`` (docs/deployment.md, "Signals").

    One row per process (``worker_id`` is host:pid, as in the task results' ``worker_ids``);
    a worker deletes the rows not seen for a day when it starts, so restarts leave no trail.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.worker_id
