"""The daily housekeeping of `motcua worker`: rows that only pile up are deleted.

Each step is a function ``(now) -> rows deleted``; :data:`STEPS` lists them and the
``housekeeping`` task (``jobs.tasks``) runs them all once a local day at
``MOTCUA_JOBS["HOUSEKEEPING_TIME"]``, working day or not. Another app needing a periodic
cleanup appends a step here rather than adding a job kind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from motcua.accounts import ratelimit
from motcua.api.idempotency import idempotency_records_delete
from motcua.api.services import calls_prune
from motcua.audit.services import audit_checkpoint_step
from motcua.citizens.services import used_nonces_delete
from motcua.dossiers.ledger_checkpoints import ledger_maintain
from motcua.dossiers.tally import tally_compact
from motcua.lib import janitor
from motcua.lib.sessions import expired_sessions_delete
from motcua.onlinepay.services import open_intents_poll
from motcua.portal import services as portal


def task_results_delete(*, now: datetime) -> int:
    """Deletes the queue's finished task results (done or failed) older than
    ``MOTCUA_TASK_RESULTS_KEEP_DAYS``; waiting and running ones are never touched."""
    before = now - timedelta(days=settings.MOTCUA_TASK_RESULTS_KEEP_DAYS)
    deleted, _by_model = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return deleted


def sessions_delete(*, now: datetime) -> int:
    """Deletes expired sessions (Django's ``clearsessions`` for the database backend)."""
    return expired_sessions_delete(now=now)


def upload_leftovers_clean(*, now: datetime) -> int:
    """The upload janitor (``lib.janitor.files_clean``): pending uploads of crashed
    transactions and files without a row, older than ``MOTCUA_UPLOAD_JANITOR_HOURS``."""
    return janitor.files_clean(now=now).total


def rate_counters_delete(*, now: datetime) -> int:
    """Deletes expired rate-limit counters (``accounts.ratelimit.cleanup``, docs/limits.md)."""
    return ratelimit.cleanup(now=now)


def tracking_attempts_delete(*, now: datetime) -> int:
    """Deletes the portal's record of failed tracking attempts older than
    ``MOTCUA_PORTAL["TRACK_RECORD_DAYS"]`` (``portal.services.tracking_attempts_delete``: the
    record and its setting are the portal's)."""
    return portal.tracking_attempts_delete(now=now)


STEPS: list[tuple[str, Callable[..., int]]] = [
    ("expired sessions", sessions_delete),
    ("old task results", task_results_delete),
    ("upload leftovers", upload_leftovers_clean),
    # Not a deletion: every dossier's chain tip signed (audit.services, docs/dossiers.md).
    ("audit checkpoint", audit_checkpoint_step),
    ("expired rate-limit counters", rate_counters_delete),
    ("old failed tracking attempts", tracking_attempts_delete),
    # The API's call log, after MOTCUA_API_LOG_DAYS (api.services.calls_prune, docs/api.md).
    ("old API calls", calls_prune),
    # Idempotency-Key answers after MOTCUA_API_IDEMPOTENCY_HOURS (api.idempotency, docs/api.md).
    ("expired idempotency keys", idempotency_records_delete),
    # Not a deletion of data: the ledger's rows of one key folded into one (the rows removed),
    # and the stock checkpoints of a year that closed (dossiers.ledger_checkpoints).
    ("ledger compaction and checkpoints", ledger_maintain),
    # Not a deletion of data: the end-of-day tally's days up to yesterday folded into one row
    # per unit and officer (the rows removed; dossiers.tally), as the worker does every few
    # minutes when MOTCUA_LEDGER_COMPACT_SECONDS is not 0.
    ("pending tally fold", tally_compact),
    # The citizens' sign-in nonces once their tokens expired (citizens.services).
    ("expired sign-in nonces", used_nonces_delete),
    # Not a deletion: online payments still open asked once more (onlinepay.services).
    ("open online payments polled", open_intents_poll),
]


def housekeeping_run(*, now: datetime) -> dict[str, int]:
    """Runs every step; returns the rows each deleted. Each step is idempotent."""
    return {name: step(now=now) for name, step in STEPS}
