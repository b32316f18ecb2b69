"""One definition per figure the steering committee reads (domain spec §4, §5, §6).

Pure: a dossier is described by :class:`DossierFacts`, a period by local dates, and
:func:`buckets` says which figures of the period a dossier counts in. Totals and drill-down
lists both come from it, so a number and the list behind it cannot drift apart. The report
form's balance holds by construction (§4.1, invariant 3 of ARCHITECTURE.md):

    carried over + received = resolved + withdrawn or stopped + pending

because every dossier counted on the left falls in exactly one bucket on the right.

Groundwork for the reporting issue: the fast path and the outputs build on these definitions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.core.timeliness import Pause, is_overdue


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
    RATED = "rated"  # rated in the period
    SATISFIED = "satisfied"  # ... satisfied or very satisfied (766 group 5)


@dataclass(frozen=True)
class DossierFacts:
    """What the definitions need to know of one dossier (all moments timezone-aware)."""

    received_at: datetime | None  # None: never received (refused, or still submitted)
    channel: str  # "online", "direct" or "postal"
    resolved_at: datetime | None = None
    timeliness: str = ""  # "early", "on_time" or "late" once resolved
    ended_at: datetime | None = None  # withdrawn or stopped (never set with resolved_at)
    due_at: datetime | None = None  # the statutory due moment printed on the receipt
    pauses: tuple[Pause, ...] = ()  # supplement and obligation waits
    supplement_starts: tuple[datetime, ...] = ()  # when each supplement was requested
    has_obligation: bool = False
    paid_online: bool = False
    digitised: bool = False  # components digitised and, once resolved, the result too
    certification: bool = False
    e_certified: bool = False
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


def _finished_at(facts: DossierFacts) -> datetime | None:
    return facts.resolved_at or facts.ended_at


def buckets(facts: DossierFacts, period: Period, calendar: WorkingCalendar) -> set[Bucket]:
    """Every figure of ``period`` the dossier counts in."""
    lo, hi = period.lo, period.hi
    found: set[Bucket] = set()
    if facts.received_at is None or facts.received_at >= hi:
        return found
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
        if facts.certification:
            found.add(Bucket.CERTIFICATION)
            if facts.e_certified:
                found.add(Bucket.E_CERTIFIED)
    elif finished is None or finished >= lo:
        found.add(Bucket.CARRIED_OVER)
    else:
        return found  # finished before the period: no figure of it counts the dossier

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
        end = hi - timedelta(seconds=1)
        overdue = facts.due_at is not None and is_overdue(
            calendar,
            at=end,
            due_at=facts.due_at,
            pauses=[p for p in facts.pauses if p.start <= end],
            supplement_requests=sum(1 for s in facts.supplement_starts if s <= end),
        )
        found.add(Bucket.PENDING_OVERDUE if overdue else Bucket.PENDING_WITHIN_TIME)
    if facts.rated_at is not None and lo <= facts.rated_at < hi:
        found.add(Bucket.RATED)
        if facts.satisfied:
            found.add(Bucket.SATISFIED)
    return found


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
