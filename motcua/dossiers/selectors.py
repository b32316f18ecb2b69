"""Reads of dossiers that several interfaces share (the CLI queue, later the end-of-day list)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q

from motcua.core import timeliness, workflow


def overdue_q(at: datetime) -> Q:
    """Pending dossiers past their time at ``at``: the database form of
    ``core.timeliness.is_overdue``.

    A running clock is overdue once its effective due moment has passed. A stopped clock
    (waiting for a supplement or an obligation) moves the due moment with it, so such a
    dossier is overdue only if it already was when the clock stopped. More than one
    supplement request counts as overdue (766 indicator 2.1). Moments compare by wall time:
    a clock stopped in the night after a due moment of 17:00 counts as overdue.
    """
    running = Q(paused_since__isnull=True, effective_due_at__lt=at)
    stopped = Q(paused_since__isnull=False, effective_due_at__lt=F("paused_since"))
    too_many = Q(supplement_requests__gt=timeliness.MAX_SUPPLEMENT_REQUESTS_ON_TIME)
    return Q(status__in=[s.value for s in workflow.PENDING]) & (running | stopped | too_many)
