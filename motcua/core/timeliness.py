"""Early, on time, late: one definition for resolutions and for pending dossiers (§1.7, §5.3).

Pure: works on a :class:`~motcua.core.clock.WorkingCalendar` and plain moments.

- The statutory due moment is the one printed on the receipt (form 01). Waiting for a
  supplement or a financial obligation stops the clock, so the due moment that counts is moved
  forward by the working time spent waiting (§1.4 step 6 [I]; 766 indicator 2.1 [S]).
- An apology and re-appointment (form 04) does not move it: a late dossier stays late (§1.7 [S]).
- A dossier with more than one supplement request counts as late (766 indicator 2.1 [S]); the
  limit is a parameter (``supplement_limit``, None: no such rule), since the source is secondary.
- Event times are when things happened (ARCHITECTURE invariant 9): a dossier may be resolved
  before its official receipt moment (received at the counter at 18:10, settled at once). It
  finished before its due moment, so it is early or on time by the rule, never late.
- Early versus on time has no confirmed legal definition (Appendix A.6), so it is a rule to
  choose: :class:`EarlyRule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from motcua.core.clock import LOCAL_TZ, WorkingCalendar

# 766 indicator 2.1 [S]: more than this many supplement requests make a dossier late. The
# default of the setting ``MOTCUA_DOSSIERS["MAX_SUPPLEMENT_REQUESTS_ON_TIME"]``.
MAX_SUPPLEMENT_REQUESTS_ON_TIME = 1


def too_many_supplements(
    requests: int, limit: int | None = MAX_SUPPLEMENT_REQUESTS_ON_TIME
) -> bool:
    """Whether ``requests`` supplement requests make a dossier late (766 2.1 [S]; None: never)."""
    return limit is not None and requests > limit


class Timeliness(StrEnum):
    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # quá hạn


class EarlyRule(StrEnum):
    """How early is told from on time (Appendix A.6: NOT CONFIRMED)."""

    # Finished on a day before the due moment's day; on the due day itself it is on time.
    BEFORE_DUE_DAY = "before_due_day"
    # OpenCPS [I]: finished before the start of the half-day session holding the due moment.
    BEFORE_DUE_SESSION = "before_due_session"


@dataclass(frozen=True)
class Pause:
    """A stretch during which the statutory clock stood still; ``end`` None = still paused."""

    start: datetime
    end: datetime | None


def paused_seconds(calendar: WorkingCalendar, pauses: Iterable[Pause], until: datetime) -> int:
    """Working seconds spent paused up to ``until`` (an open pause counts up to ``until``)."""
    total = 0
    for pause in pauses:
        end = pause.end if pause.end is not None else until
        end = min(end, until)
        if end > pause.start:
            total += calendar.between(pause.start, end).seconds
    return total


def effective_due(
    calendar: WorkingCalendar, due_at: datetime, pauses: Iterable[Pause], until: datetime
) -> datetime:
    """The due moment moved forward by the working time paused up to ``until``."""
    seconds = paused_seconds(calendar, pauses, until)
    return calendar.add_working_seconds(due_at, seconds) if seconds > 0 else due_at


def _session_start(calendar: WorkingCalendar, moment: datetime) -> datetime:
    """Start of the office session that holds ``moment`` (a due moment lies in or ends one)."""
    local = moment.astimezone(LOCAL_TZ)
    clock = local.time()
    for session in calendar.office_hours.sessions:
        if session.start < clock <= session.end:
            return local.replace(
                hour=session.start.hour, minute=session.start.minute, second=0, microsecond=0
            )
    return local


def classify(
    calendar: WorkingCalendar,
    *,
    finished_at: datetime,
    due_at: datetime,
    pauses: Iterable[Pause] = (),
    supplement_requests: int = 0,
    rule: EarlyRule = EarlyRule.BEFORE_DUE_DAY,
    supplement_limit: int | None = MAX_SUPPLEMENT_REQUESTS_ON_TIME,
) -> Timeliness:
    """Timeliness of a dossier finished (resolved, or ended otherwise) at ``finished_at``."""
    pauses = list(pauses)
    due = effective_due(calendar, due_at, pauses, finished_at)
    if too_many_supplements(supplement_requests, supplement_limit) or finished_at > due:
        return Timeliness.LATE
    if rule is EarlyRule.BEFORE_DUE_DAY:
        due_day = due.astimezone(LOCAL_TZ).date()
        finished_day = finished_at.astimezone(LOCAL_TZ).date()
        return Timeliness.EARLY if finished_day < due_day else Timeliness.ON_TIME
    early = finished_at < _session_start(calendar, due)
    return Timeliness.EARLY if early else Timeliness.ON_TIME


def is_overdue(
    calendar: WorkingCalendar,
    *,
    at: datetime,
    due_at: datetime,
    pauses: Iterable[Pause] = (),
    supplement_requests: int = 0,
    supplement_limit: int | None = MAX_SUPPLEMENT_REQUESTS_ON_TIME,
) -> bool:
    """Whether a dossier still pending at ``at`` is past its time (quá hạn) at that moment.

    The one definition of "overdue": the report's pending figures, the ledger, the queue, the
    end-of-day list and the command line all derive from it (``dossiers.selectors.overdue_q``
    is its database form, tested equal).

    - More supplement requests than ``supplement_limit`` (made by ``at``): overdue.
    - Clock running: overdue once ``at`` is past the due moment moved by the pauses closed
      by ``at``.
    - Clock stopped (a pause open at ``at``): the due moment moves with the stopped clock, so
      the answer is the one of the moment the clock stopped: overdue if that moved due moment
      was already past (compared as wall time, so a clock stopped at 20:00 after a due moment
      of 17:00 the same day is overdue, as it was at 19:59).
    """
    if too_many_supplements(supplement_requests, supplement_limit):
        return True
    started = [p for p in pauses if p.start <= at]
    closed = [p for p in started if p.end is not None and p.end <= at]
    due = effective_due(calendar, due_at, closed, at)
    stopped = [p.start for p in started if p.end is None or p.end > at]
    if stopped:
        return due < max(stopped)
    return at > due
