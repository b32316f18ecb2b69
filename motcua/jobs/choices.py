from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    """The periodic jobs of the scheduler."""

    # The end-of-day e-mail to a unit's leaders: due today, next working day, overdue.
    DIGEST = "digest", _("End-of-day digest")
    # directives.services.directive_reminders_send.
    REMINDERS = "reminders", _("Directive reminders")
    # steering.services.indicator_snapshots_take.
    SNAPSHOTS = "snapshots", _("Indicator snapshots")
    # jobs.housekeeping: expired sessions and old task results deleted.
    HOUSEKEEPING = "housekeeping", _("Housekeeping")


class MarkStatus(models.TextChoices):
    """Where a scheduled occurrence of a job stands."""

    # Claimed by a scheduler; its task is enqueued when the claim commits.
    CLAIMED = "claimed", _("Claimed")
    # The task is in the queue (or running).
    ENQUEUED = "enqueued", _("Enqueued")
    # The task finished.
    DONE = "done", _("Done")
    # The task failed; the scheduler enqueues it again after MOTCUA_JOBS["RETRY_MINUTES"].
    FAILED = "failed", _("Failed")


class RunStatus(models.TextChoices):
    """Where one side effect (one e-mail, one call of another app's service) stands."""

    # Claimed: being done now, or the process died while doing it. Never started again,
    # because whether the e-mail went out is unknown (at most once).
    RUNNING = "running", _("Running")
    # Done: never again for this key and day.
    DONE = "done", _("Done")
    # Failed before anything was sent: the next run may try again.
    FAILED = "failed", _("Failed")
