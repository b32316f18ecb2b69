"""One definition per figure the steering committee reads (domain spec §4, §5, §6).

Pure: a dossier is described by :class:`DossierFacts`, a period by local dates, and
:func:`buckets` says which figures of the period a dossier counts in. Totals and drill-down
lists both come from it, so a number and the list behind it cannot drift apart. The report
form's balance holds by construction (§4.1, invariant 3 of ARCHITECTURE.md):

    carried over + received = resolved + withdrawn or stopped + pending

because every dossier counted on the left falls in exactly one bucket on the right.

The fast path and the outputs build on these definitions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.core.timeliness import (
    MAX_SUPPLEMENT_REQUESTS_ON_TIME,
    Pause,
    effective_due,
    is_overdue,
    paused_seconds,
)


class Bucket(StrEnum):
    RECEIVED = "received"  # received in the period (col 3 minus col 6)
    RECEIVED_ONLINE = "received_online"  # col 4
    RECEIVED_DIRECT = "received_direct"  # col 5: in person or by public post
    CARRIED_OVER = "carried_over"  # col 6: received before, not finished at the start
    RESOLVED = "resolved"  # col 7
    RESOLVED_EARLY = "resolved_early"  # col 8
    RESOLVED_ON_TIME = "resolved_on_time"  # col 9
    RESOLVED_LATE = "resolved_late"  # col 10
    ENDED = "ended"  # withdrawn or stopped in the period (kept apart so the balance holds)
    PENDING = "pending"  # col 11: not finished at the end of the period
    PENDING_WITHIN_TIME = "pending_within_time"  # col 12
    PENDING_OVERDUE = "pending_overdue"  # col 13
    OBLIGATION = "obligation"  # received in the period with a financial obligation
    PAID_ONLINE = "paid_online"  # ... paid online (766 indicator 3.6)
    DIGITISED = "digitised"  # received in the period and digitised (766 indicator 4.2)
    CERTIFICATION = "certification"  # received in the period, a certification procedure
    E_CERTIFIED = "e_certified"  # ... whose copy was certified electronically
    # Received in the period with a paper the applicant's electronic store already held
    # (766 indicator 4.3's eligible dossiers) ...
    REUSE_ELIGIBLE = "reuse_eligible"
    REUSED = "reused"  # ... and reused from it rather than scanned again (4.3)
    RATED = "rated"  # rated in the period
    SATISFIED = "satisfied"  # ... satisfied or very satisfied (766 group 5)


class Measure(StrEnum):
    """Sums over the dossiers resolved in a period (766 indicator 2.2, average processing time
    against the statutory time [S/NC]): working seconds, pauses excluded."""

    PROCESSING_SECONDS = "processing_seconds"  # from receipt to resolution, minus waits
    STATUTORY_SECONDS = "statutory_seconds"  # from receipt to the due moment on the receipt


@dataclass(frozen=True)
class DossierFacts:
    """What the definitions need to know of one dossier (all moments timezone-aware)."""

    received_at: datetime | None  # None: never received (refused, or still submitted)
    channel: str  # "online", "direct" or "postal"
    resolved_at: datetime | None = None
    timeliness: str = ""  # "early", "on_time" or "late" once resolved
    ended_at: datetime | None = None  # withdrawn or stopped (never set with resolved_at)
    due_at: datetime | None = None  # the statutory due moment printed on the receipt
    # The due moment moved by the closed pauses, as recorded (``Dossier.effective_due_at``; a
    # history file may give one its pauses do not explain). None: derived from the pauses.
    effective_due_at: datetime | None = None
    pauses: tuple[Pause, ...] = ()  # supplement and obligation waits
    supplement_starts: tuple[datetime, ...] = ()  # when each supplement was requested
    # Supplement requests recorded (``Dossier.supplement_requests``). An imported count may
    # exceed the supplement pauses recorded with it: see :func:`supplement_requests_at`.
    supplement_requests: int = 0
    # 766 indicator 2.1 [S], configurable: more requests than this make the dossier late
    # (None: no such rule). The caller passes the setting in force.
    supplement_limit: int | None = MAX_SUPPLEMENT_REQUESTS_ON_TIME
    has_obligation: bool = False
    paid_online: bool = False
    digitised: bool = False  # components digitised and, once resolved, the result too
    certification: bool = False
    e_certified: bool = False
    reuse_eligible: bool = False  # the applicant's store held a paper the dossier needed
    reused: bool = False  # ... and a component was filled from it
    rated_at: datetime | None = None
    satisfied: bool = False
    key: object = field(default=None, compare=False)  # the caller's id, for drill-down


@dataclass(frozen=True)
class Period:
    """Local dates, both inclusive, as the committee names them (01/01/2024–22/05/2024)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time(0), LOCAL_TZ)

    @property
    def hi(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(0), LOCAL_TZ)

    @property
    def last(self) -> datetime:
        """The period's last second: its stock is overdue or within time as of it (§4.2)."""
        return _end_of(self.end)


def _finished_at(facts: DossierFacts) -> datetime | None:
    return facts.resolved_at or facts.ended_at


def _end_of(day: date) -> datetime:
    """The last second of a local day: figures are "as of the end of" their last day (§4.2)."""
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ) - timedelta(seconds=1)


def supplement_requests_at(facts: DossierFacts, moment: datetime) -> int:
    """How many supplements had been requested by ``moment``.

    Each request with a pause counts from its start. Requests recorded without one (a history
    file may give ``supplement_requests: 2`` and no pauses) have no moment: they count from
    the official receipt moment, when the dossier enters the figures, so every output (the
    report, the ledger, the queue's ``overdue_q``, which reads the recorded count) agrees.
    """
    timed = sum(1 for start in facts.supplement_starts if start <= moment)
    untimed = max(facts.supplement_requests - len(facts.supplement_starts), 0)
    if untimed and facts.received_at is not None and facts.received_at <= moment:
        timed += untimed
    return timed


def overdue_at(facts: DossierFacts, calendar: WorkingCalendar, moment: datetime) -> bool:
    """Whether a dossier still pending at ``moment`` is past its time then (col 13):
    ``core.timeliness.is_overdue`` on what was known of it at that moment.

    The recorded effective due moment covers every closed pause, so it rules from the end of
    the last one (from receipt if none), as it does in the queue (``overdue_q`` reads it);
    before that, the due moment is the receipt's moved by the pauses closed so far.
    """
    if facts.due_at is None:
        return False
    due, pauses = facts.due_at, [p for p in facts.pauses if p.start <= moment]
    recorded_from = _recorded_due_from(facts)
    recorded = facts.effective_due_at
    if recorded_from is not None and recorded is not None and moment >= recorded_from:
        due, pauses = recorded, [p for p in pauses if p.end is None]
    return is_overdue(
        calendar,
        at=moment,
        due_at=due,
        pauses=pauses,
        supplement_requests=supplement_requests_at(facts, moment),
        supplement_limit=facts.supplement_limit,
    )


def _recorded_due_from(facts: DossierFacts) -> datetime | None:
    """From when the recorded effective due moment rules: the end of the last closed pause,
    or the receipt; None when none is recorded."""
    if facts.effective_due_at is None or facts.received_at is None:
        return None
    ends = [p.end for p in facts.pauses if p.end is not None]
    return max([facts.received_at, *ends])


def as_counted(facts: DossierFacts) -> DossierFacts:
    """The facts with each moment the figures count at.

    Event times are when things happened (ARCHITECTURE invariant 9), so a dossier received at
    the counter at 18:10 may be resolved, withdrawn or rated before its official receipt
    moment (07:00 the next working day, §1.5). The figures take the dossier in at that receipt
    moment, so what happened before it counts at it: on the receipt day, never before the
    dossier is received, and the balance of the form still holds.
    """
    received = facts.received_at
    if received is None:
        return facts

    def counted(moment: datetime | None) -> datetime | None:
        return None if moment is None else max(moment, received)

    if all(
        moment is None or moment >= received
        for moment in (facts.resolved_at, facts.ended_at, facts.rated_at)
    ):
        return facts
    return replace(
        facts,
        resolved_at=counted(facts.resolved_at),
        ended_at=counted(facts.ended_at),
        rated_at=counted(facts.rated_at),
    )


def buckets(facts: DossierFacts, period: Period, calendar: WorkingCalendar) -> set[Bucket]:
    """Every figure of ``period`` the dossier counts in."""
    facts = as_counted(facts)
    lo, hi = period.lo, period.hi
    found: set[Bucket] = set()
    if facts.received_at is None or facts.received_at >= hi:
        return found
    # A rating counts in the period it was given, even for a dossier finished before it.
    if facts.rated_at is not None and lo <= facts.rated_at < hi:
        found.add(Bucket.RATED)
        if facts.satisfied:
            found.add(Bucket.SATISFIED)
    finished = _finished_at(facts)
    if facts.received_at >= lo:
        found.add(Bucket.RECEIVED)
        found.add(Bucket.RECEIVED_ONLINE if facts.channel == "online" else Bucket.RECEIVED_DIRECT)
        if facts.has_obligation:
            found.add(Bucket.OBLIGATION)
            if facts.paid_online:
                found.add(Bucket.PAID_ONLINE)
        if facts.digitised:
            found.add(Bucket.DIGITISED)
        if facts.reuse_eligible or facts.reused:
            found.add(Bucket.REUSE_ELIGIBLE)
        if facts.reused:
            found.add(Bucket.REUSED)
        if facts.certification:
            found.add(Bucket.CERTIFICATION)
            if facts.e_certified:
                found.add(Bucket.E_CERTIFIED)
    elif finished is None or finished >= lo:
        found.add(Bucket.CARRIED_OVER)
    else:
        return found  # finished before the period: only its rating can count

    if facts.resolved_at is not None and lo <= facts.resolved_at < hi:
        found.add(Bucket.RESOLVED)
        found.add(
            {
                "early": Bucket.RESOLVED_EARLY,
                "on_time": Bucket.RESOLVED_ON_TIME,
            }.get(facts.timeliness, Bucket.RESOLVED_LATE)
        )
    elif facts.ended_at is not None and lo <= facts.ended_at < hi:
        found.add(Bucket.ENDED)
    elif finished is None or finished >= hi:
        found.add(Bucket.PENDING)
        overdue = overdue_at(facts, calendar, period.last)
        found.add(Bucket.PENDING_OVERDUE if overdue else Bucket.PENDING_WITHIN_TIME)
    return found


# -- the running ledger: the same definitions, kept per day ------------------------------------
#
# A figure of a period is either a flow (received, resolved, rated... in the period: the sum of
# its days) or a stock read at a moment (pending at the end; carried over = pending at the end
# of the day before the start). The ledger keeps, per day, how many dossiers entered each flow
# and by how much each stock changed; :func:`contributions` derives both from the definitions
# above, and :func:`totals_from_ledger` turns the day sums back into the figures. The cost of a
# report is then the number of days and units, not the number of dossiers (invariant 4).

STOCKS = (Bucket.PENDING, Bucket.PENDING_OVERDUE)
# Every bucket in order, iterated once: a report sums a hundred units' ledgers, and iterating
# the enum itself is slow.
_BUCKETS = tuple(Bucket)
FLOWS = tuple(
    b
    for b in Bucket
    if b
    not in (Bucket.CARRIED_OVER, Bucket.PENDING, Bucket.PENDING_WITHIN_TIME, Bucket.PENDING_OVERDUE)
)
_ON_RECEIPT = (
    Bucket.RECEIVED,
    Bucket.RECEIVED_ONLINE,
    Bucket.RECEIVED_DIRECT,
    Bucket.OBLIGATION,
    Bucket.PAID_ONLINE,
    Bucket.DIGITISED,
    Bucket.CERTIFICATION,
    Bucket.E_CERTIFIED,
    Bucket.REUSE_ELIGIBLE,
    Bucket.REUSED,
)
_ON_RESOLUTION = (
    Bucket.RESOLVED,
    Bucket.RESOLVED_EARLY,
    Bucket.RESOLVED_ON_TIME,
    Bucket.RESOLVED_LATE,
)


def _day_of(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _overdue_check_days(
    facts: DossierFacts, calendar: WorkingCalendar, received: date, due: datetime
) -> set[date]:
    """The days on which "overdue at the end of the day" can change for this dossier.

    Between two of them no pause starts or ends, no supplement is requested, and the due moment
    (moved by the pauses closed so far) stays where it is, so the answer stays the same. A pause
    still open is followed day by day for a week, after which the answer no longer changes
    (the due moment moves with the clock that is stopped).
    """
    days = {received, _day_of(due), _day_of(due) + timedelta(days=1)}
    recorded_from = _recorded_due_from(facts)
    if recorded_from is not None and facts.effective_due_at is not None:
        recorded = _day_of(facts.effective_due_at)
        days.update((_day_of(recorded_from), recorded, recorded + timedelta(days=1)))
    closed: list[Pause] = []
    for start in facts.supplement_starts:
        days.add(_day_of(start))
    for pause in sorted(facts.pauses, key=lambda p: p.start):
        first = _day_of(pause.start)
        last = _day_of(pause.end) if pause.end is not None else first + timedelta(days=7)
        days.update(first + timedelta(days=n) for n in range((last - first).days + 2))
        if pause.end is not None:
            closed.append(pause)
            moved = effective_due(calendar, due, closed, pause.end)
            days.update((_day_of(moved), _day_of(moved) + timedelta(days=1)))
    return days


def contributions(
    facts: DossierFacts, calendar: WorkingCalendar
) -> Counter[tuple[Bucket | Measure, date]]:
    """What one dossier adds to the ledger: (flow, day) -> 1, (stock, day) -> change and
    (measure, day of resolution) -> seconds.

    Summing these over the days of a period gives exactly what :func:`buckets` counts
    (property-tested in tests/test_metrics.py, and checked by ``motcua report verify``).
    """
    found: Counter[tuple[Bucket | Measure, date]] = Counter()
    if facts.received_at is None:
        return found
    received = _day_of(facts.received_at)
    facts = as_counted(facts)
    for bucket in buckets(facts, Period(received, received), calendar):
        if bucket in _ON_RECEIPT:
            found[bucket, received] += 1
    if facts.rated_at is not None:
        rated = _day_of(facts.rated_at)
        found[Bucket.RATED, rated] += 1
        if facts.satisfied:
            found[Bucket.SATISFIED, rated] += 1
    finished_at = _finished_at(facts)
    finished = _day_of(finished_at) if finished_at is not None else None
    if facts.resolved_at is not None and finished is not None:
        for bucket in buckets(facts, Period(finished, finished), calendar):
            if bucket in _ON_RESOLUTION:
                found[bucket, finished] += 1
        for measure, value in durations(facts, calendar).items():
            found[measure, finished] += value
    elif facts.ended_at is not None and finished is not None:
        found[Bucket.ENDED, finished] += 1
    found[Bucket.PENDING, received] += 1
    if finished is not None:
        found[Bucket.PENDING, finished] -= 1
    if facts.due_at is not None:
        overdue = False
        for day in sorted(_overdue_check_days(facts, calendar, received, facts.due_at)):
            if day < received or (finished is not None and day >= finished):
                continue
            now = overdue_at(facts, calendar, _end_of(day))
            if now != overdue:
                found[Bucket.PENDING_OVERDUE, day] += 1 if now else -1
                overdue = now
        if overdue and finished is not None:
            found[Bucket.PENDING_OVERDUE, finished] -= 1
    return Counter({key: n for key, n in found.items() if n})


def totals_from_ledger(
    flows: Mapping[Bucket, int],
    pending_before: int,
    pending_at_end: int,
    overdue_at_end: int,
) -> dict[Bucket, int]:
    """A period's figures from the ledger's sums: flows over its days, stocks up to its
    first day (exclusive) and its last day (inclusive)."""
    totals = dict.fromkeys(_BUCKETS, 0)
    for bucket in FLOWS:
        totals[bucket] = flows.get(bucket, 0)
    totals[Bucket.CARRIED_OVER] = pending_before
    totals[Bucket.PENDING] = pending_at_end
    totals[Bucket.PENDING_OVERDUE] = overdue_at_end
    totals[Bucket.PENDING_WITHIN_TIME] = pending_at_end - overdue_at_end
    return totals


# The ledger figures each figure of a report is read from (:func:`totals_from_ledger`).
_DERIVED_FROM: dict[Bucket, tuple[Bucket, ...]] = {
    Bucket.CARRIED_OVER: (Bucket.PENDING,),
    Bucket.PENDING_WITHIN_TIME: (Bucket.PENDING, Bucket.PENDING_OVERDUE),
}


def ledger_figures_for(buckets: Iterable[Bucket]) -> set[Bucket]:
    """The ledger figures :func:`totals_from_ledger` needs to give ``buckets`` (a flow or a
    stock is its own; carried over is the pending stock before the period, pending within
    time the pending stock less the overdue one): a drill-down's count reads these alone."""
    return {source for bucket in buckets for source in _DERIVED_FROM.get(bucket, (bucket,))}


def durations(facts: DossierFacts, calendar: WorkingCalendar) -> dict[Measure, int]:
    """A resolved dossier's working time taken and allowed (empty until it is resolved).

    Time counts from the official receipt moment (§1.5): a dossier resolved before it took
    no working time, and waits before it (a supplement asked for at 18:30) take nothing off.
    """
    facts = as_counted(facts)
    if facts.received_at is None or facts.resolved_at is None or facts.due_at is None:
        return {}
    taken = calendar.between(facts.received_at, facts.resolved_at).seconds
    waited = paused_seconds(calendar, facts.pauses, facts.resolved_at)
    allowed = calendar.between(facts.received_at, facts.due_at).seconds
    return {Measure.PROCESSING_SECONDS: max(taken - waited, 0), Measure.STATUTORY_SECONDS: allowed}


def sums(
    dossiers: Iterable[DossierFacts], period: Period, calendar: WorkingCalendar
) -> dict[Measure, int]:
    """The measures of the dossiers resolved in ``period`` (all on one calendar)."""
    totals = {measure: 0 for measure in Measure}
    for facts in map(as_counted, dossiers):
        if facts.resolved_at is not None and period.lo <= facts.resolved_at < period.hi:
            for measure, value in durations(facts, calendar).items():
                totals[measure] += value
    return totals


def count(
    dossiers: Iterable[DossierFacts],
    period: Period,
    calendar_of: Callable[[DossierFacts], WorkingCalendar],
) -> Counter[Bucket]:
    """How many dossiers each figure counts (every bucket present, zero included)."""
    totals: Counter[Bucket] = Counter({bucket: 0 for bucket in Bucket})
    for facts in dossiers:
        totals.update(buckets(facts, period, calendar_of(facts)))
    return totals


def drill_down(
    dossiers: Iterable[DossierFacts],
    period: Period,
    bucket: Bucket,
    calendar_of: Callable[[DossierFacts], WorkingCalendar],
) -> list[DossierFacts]:
    """The dossiers behind one figure: the same definition as :func:`count`."""
    return [d for d in dossiers if bucket in buckets(d, period, calendar_of(d))]
