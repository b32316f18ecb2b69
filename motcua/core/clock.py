"""The statutory working-time clock (domain spec §1.5–1.7, §7): pure, no Django, no I/O.

A :class:`WorkingCalendar` knows which local dates are working days (Vietnamese public
holidays with the lunar ones, announced swapped days off and make-up Saturdays from the
``holidays`` package, plus administrator overrides) and the office hours of a day. It answers:
is this moment working time, what is the official receipt moment of a submission, what is the
due moment of a time limit, how much working time lies between two moments, and why.

How it is fast: every local moment maps to a *working second ordinal*: the index of its
working day times the seconds in a working day, plus the working seconds already elapsed in
that day's sessions. Non-working time maps to the ordinal of the next working moment. Two
arrays built once per calendar (working days in order, and for every calendar day the number
of working days before it) make the map and its inverse O(1), so adding days or hours and
counting between moments are arithmetic on integers instead of day-by-day loops.

Rules the arithmetic encodes:

- N working days = the same clock time N working days later; fractions of a day are carried
  across lunch and overnight (§1.6 [I]). One working day is the day's session time (8 h with
  the default 07:00–11:30, 13:30–17:00).
- A due moment that falls exactly on a session boundary is the END of the earlier session
  (17:00, not 07:00 the next day; 11:30, not 13:30): the earliest moment the time has run.
- The clock works to the second; microseconds are dropped.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

import holidays

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_YEAR = 2000
LAST_YEAR = 2099
# How far ahead of the server's clock an event may be recorded (``dossiers.services``): a
# workstation's clock may run a little fast; past that, what is recorded has not happened
# (ARCHITECTURE invariant 9: event times are when things happened).
RECORDING_SKEW = timedelta(minutes=5)

Amount = int | Fraction | Decimal | float


class ClockError(ValueError):
    """Bad input to the clock; ``place`` names the argument or field at fault."""

    def __init__(self, place: str, message: str) -> None:
        super().__init__(f"{place}: {message}")
        self.place = place
        self.message = message


class LimitUnit(StrEnum):
    """The unit a statutory time limit is written in (§1.6)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class OverrideKind(StrEnum):
    """What an administrator override does to a date (§7.4 implementation notes)."""

    DAY_OFF = "day_off"  # not a working day, whatever the statutory calendar says
    WORKING_DAY = "working_day"  # a working day, whatever the statutory calendar says
    MAKE_UP_DAY = "make_up_day"  # a make-up working Saturday: counts only if make-up days count


class ReceiptRule(StrEnum):
    """When a submission outside working time is officially received (§1.5, Appendix A.2)."""

    NEXT_SESSION = "next_session"  # start of the next working session
    AS_SUBMITTED = "as_submitted"  # the moment it was submitted


class DayKind(StrEnum):
    """Why a date is or is not a working day."""

    WORKDAY = "workday"  # ordinary Monday–Friday
    WEEKEND = "weekend"  # ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # public holiday (Labour Code 2019 Art. 112, Tết break)
    COMPENSATORY = "compensatory"  # nghỉ bù: holiday fell on a weekend (Art. 111.3)
    SWAPPED_DAY_OFF = "swapped_day_off"  # hoán đổi: a weekday off, worked back on a Saturday
    MAKE_UP_DAY = "make_up_day"  # ngày làm bù: Saturday worked in exchange
    OVERRIDE_DAY_OFF = "override_day_off"
    OVERRIDE_WORKING_DAY = "override_working_day"


_OFF_KINDS = frozenset(
    {
        DayKind.WEEKEND,
        DayKind.HOLIDAY,
        DayKind.COMPENSATORY,
        DayKind.SWAPPED_DAY_OFF,
        DayKind.OVERRIDE_DAY_OFF,
    }
)


@dataclass(frozen=True)
class Override:
    """An administrator's decision about one date, with the legal text that makes it."""

    day: date
    kind: OverrideKind
    name: str
    legal_ref: str

    def __post_init__(self) -> None:
        if not self.legal_ref.strip():
            raise ClockError("legal_ref", f"an override ({self.day.isoformat()}) needs one")
        if not self.name.strip():
            raise ClockError("name", f"an override ({self.day.isoformat()}) needs one")


@dataclass(frozen=True)
class DayInfo:
    """One date's status and the reason for it. ``name_en`` is the English name if known."""

    day: date
    kind: DayKind
    working: bool
    name: str = ""
    name_en: str = ""
    legal_ref: str = ""
    # A swapped day off: the Saturday worked instead; a make-up day: the day off it repays.
    swapped_with: date | None = None


@dataclass(frozen=True)
class Session:
    """One office session, e.g. 07:00–11:30. Start inclusive, end exclusive for receipt."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ClockError("sessions", "session times are local clock times without a zone")
        if any(t.second or t.microsecond for t in (self.start, self.end)):
            raise ClockError("sessions", "session times are whole minutes")
        if not self.start < self.end:
            raise ClockError(
                "sessions", f"{_hhmm(self.start)}–{_hhmm(self.end)} ends before it starts"
            )

    @property
    def seconds(self) -> int:
        return _secs(self.end) - _secs(self.start)


@dataclass(frozen=True)
class OfficeHours:
    """A unit's daily sessions (§7.5; default 07:00–11:30 and 13:30–17:00 = 8 h, §1.6 [I])."""

    sessions: tuple[Session, ...] = (
        Session(time(7, 0), time(11, 30)),
        Session(time(13, 30), time(17, 0)),
    )

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ClockError("sessions", "at least one session is needed")
        for before, after in zip(self.sessions, self.sessions[1:], strict=False):
            if after.start < before.end:
                raise ClockError(
                    "sessions",
                    f"{_hhmm(after.start)}–{_hhmm(after.end)} overlaps or precedes "
                    f"{_hhmm(before.start)}–{_hhmm(before.end)}",
                )

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """'07:00-11:30, 13:30-17:00' (en dash accepted) → OfficeHours."""
        sessions = []
        for number, part in enumerate(p.strip() for p in text.split(",")):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})", part)
            if not match:
                raise ClockError(
                    "sessions", f"session {number + 1} {part!r} is not like 07:00-11:30"
                )
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                raise ClockError("sessions", f"session {number + 1} {part!r} is not a time")
            sessions.append(Session(time(h1, m1), time(h2, m2)))
        return cls(tuple(sessions))

    def __str__(self) -> str:
        return ", ".join(f"{_hhmm(s.start)}-{_hhmm(s.end)}" for s in self.sessions)

    @property
    def seconds_per_day(self) -> int:
        return sum(s.seconds for s in self.sessions)


DEFAULT_OFFICE_HOURS = OfficeHours()


@dataclass(frozen=True)
class WorkingSpan:
    """Working time between two moments (negative when the second is earlier)."""

    seconds: int
    seconds_per_day: int

    @property
    def minutes(self) -> Fraction:
        return Fraction(self.seconds, 60)

    @property
    def hours(self) -> Fraction:
        return Fraction(self.seconds, 3600)

    @property
    def days(self) -> Fraction:
        """In working days of this calendar's office hours (8 h by default)."""
        return Fraction(self.seconds, self.seconds_per_day)


@dataclass(frozen=True)
class DueExplanation:
    """A due moment with its reasons: which days were skipped and which make-up days counted.

    ``start`` is the moment counting starts from (the receipt moment when ``submitted_at`` is
    set). For calendar-day limits, ``nominal_end`` is the plain end date and ``skipped`` are the
    non-working days the end rolled over.
    """

    start: datetime
    amount: Fraction
    unit: LimitUnit
    due: datetime
    skipped: tuple[DayInfo, ...]
    make_up_counted: tuple[DayInfo, ...]
    working_days: tuple[date, ...]
    submitted_at: datetime | None = None
    nominal_end: date | None = None


def _secs(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


_SWAP_RE = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class _Statutory:
    kinds: tuple[DayKind, ...]  # per calendar day from 1 January of the first year
    names: dict[int, tuple[str, str, date | None]] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _statutory(first_year: int, last_year: int) -> _Statutory:
    """Day kinds from the ``holidays`` package for a year range, computed once per process."""
    years = range(first_year, last_year + 1)
    vi = holidays.country_holidays("VN", years=years, language="vi")
    en = holidays.country_holidays("VN", years=years, language="en_US")
    make_up = set(vi.weekend_workdays)
    base = date(first_year, 1, 1).toordinal()
    total = date(last_year, 12, 31).toordinal() - base + 1
    kinds: list[DayKind] = []
    names: dict[int, tuple[str, str, date | None]] = {}
    repays: dict[date, date] = {}
    for offset in range(total):
        day = date.fromordinal(base + offset)
        name = vi.get(day)
        if name is not None:
            # Several names on one date are joined by the package with "; ".
            swap = _SWAP_RE.search(name)
            if swap:
                kind = DayKind.SWAPPED_DAY_OFF
                worked = date(int(swap[3]), int(swap[2]), int(swap[1]))
                repays[worked] = day
            else:
                kind = DayKind.COMPENSATORY if "nghỉ bù" in name else DayKind.HOLIDAY
                worked = None
            kinds.append(kind)
            names[offset] = (name, str(en.get(day, name)), worked)
        elif day in make_up:
            kinds.append(DayKind.MAKE_UP_DAY)
            names[offset] = ("Ngày làm bù", "Make-up working day", None)
        elif day.weekday() >= 5:
            kinds.append(DayKind.WEEKEND)
        else:
            kinds.append(DayKind.WORKDAY)
    # A swap names its make-up Saturday, which may come before it (26/04 for 02/05/2025).
    for worked, day_off in repays.items():
        offset = worked.toordinal() - base
        if 0 <= offset < total and kinds[offset] is DayKind.MAKE_UP_DAY:
            names[offset] = (*names[offset][:2], day_off)
    return _Statutory(tuple(kinds), names)


def to_number(amount: Amount, place: str = "amount") -> Fraction:
    """A time limit as an exact positive Fraction; zero, negative and non-numbers are refused."""
    if isinstance(amount, bool) or not isinstance(amount, int | Fraction | Decimal | float):
        raise ClockError(place, f"a number is required, got {amount!r}")
    if isinstance(amount, float | Decimal) and not math.isfinite(amount):
        raise ClockError(place, f"a finite number is required, got {amount}")
    value = Fraction(repr(amount)) if isinstance(amount, float) else Fraction(amount)
    if value <= 0:
        raise ClockError(place, f"a time limit must be greater than zero, got {amount}")
    return value


class WorkingCalendar:
    """Working days and office hours for one place, and the arithmetic of time limits.

    Immutable after construction. ``make_up_days_count`` decides whether make-up Saturdays
    (statutory or overridden) count as working days for deadlines (§1.6, Appendix A.11: NC).
    ``roll_calendar_days``: a calendar-day limit ending on a non-working day ends at the close of
    the next working day (Civil Code 2015 Art. 148, best understanding, NC).
    """

    def __init__(
        self,
        *,
        overrides: Iterable[Override] = (),
        make_up_days_count: bool = True,
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        receipt_rule: ReceiptRule = ReceiptRule.NEXT_SESSION,
        roll_calendar_days: bool = True,
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> None:
        if not FIRST_YEAR <= first_year <= last_year <= LAST_YEAR:
            raise ClockError("years", f"{first_year}–{last_year} is outside 2000–2099")
        self.make_up_days_count = make_up_days_count
        self.office_hours = office_hours
        self.receipt_rule = ReceiptRule(receipt_rule)
        self.roll_calendar_days = roll_calendar_days
        self.first_year = first_year
        self.last_year = last_year
        self._base = date(first_year, 1, 1).toordinal()
        self._end = date(last_year, 12, 31).toordinal()
        self._statutory = _statutory(first_year, last_year)

        self.overrides: dict[date, Override] = {}
        for item in overrides:
            if item.day in self.overrides:
                raise ClockError("overrides", f"two overrides for {item.day.isoformat()}")
            if not first_year <= item.day.year <= last_year:
                raise ClockError("overrides", f"{item.day.isoformat()} is outside the calendar")
            self.overrides[item.day] = item

        kinds = list(self._statutory.kinds)
        for day, item in self.overrides.items():
            kinds[day.toordinal() - self._base] = _OVERRIDE_KIND[item.kind]
        self._kinds = kinds
        self._working = [self._is_working_kind(kind) for kind in kinds]
        # _before[o]: working days strictly before calendar day o; one extra entry at the end.
        self._before = [0, *accumulate(self._working)]
        self._days = [self._base + o for o, ok in enumerate(self._working) if ok]
        self._ymd = [(d.year, d.month, d.day) for d in map(date.fromordinal, self._days)]
        self._total = len(kinds)

        self._spd = office_hours.seconds_per_day
        bounds = []
        elapsed = 0
        for session in office_hours.sessions:
            bounds.append((_secs(session.start), _secs(session.end), elapsed))
            elapsed += session.seconds
        self._bounds = tuple(bounds)
        self._start_after = {before: start for start, _, before in bounds}
        # For the inverse map: (elapsed at the session's end, its start, elapsed before it).
        self._inverse = tuple(
            (before + end - start, start, before) for start, end, before in bounds
        )
        # Per minute of the clock: working seconds elapsed at its start, and whether it lies
        # inside a session (then its seconds count too). Sessions are whole minutes.
        self._minute_elapsed: list[int] = []
        self._minute_inside: list[bool] = []
        for minute in range(24 * 60):
            clock = minute * 60
            elapsed, inside = self._spd, False
            for start, end, before in bounds:
                if clock < start:
                    elapsed = before
                    break
                if clock < end:
                    elapsed, inside = before + clock - start, True
                    break
            self._minute_elapsed.append(elapsed)
            self._minute_inside.append(inside)

    def _is_working_kind(self, kind: DayKind) -> bool:
        if kind is DayKind.MAKE_UP_DAY:
            return self.make_up_days_count
        return kind not in _OFF_KINDS

    # -- days ---------------------------------------------------------------------------

    def _offset(self, day: date, place: str) -> int:
        ordinal = day.toordinal()
        if not self._base <= ordinal <= self._end:
            raise ClockError(
                place,
                f"{day.strftime('%d/%m/%Y')} is outside the calendar "
                f"({self.first_year}–{self.last_year})",
            )
        return ordinal - self._base

    def is_working_day(self, day: date) -> bool:
        return self._working[self._offset(day, "day")]

    def day_info(self, day: date) -> DayInfo:
        """The status of a date and why: weekend, holiday name, swap, override and its legal ref."""
        offset = self._offset(day, "day")
        kind = self._kinds[offset]
        working = self._working[offset]
        item = self.overrides.get(day)
        if item is not None:
            return DayInfo(day, kind, working, item.name, item.name, item.legal_ref)
        if offset in self._statutory.names:
            name, name_en, worked = self._statutory.names[offset]
            return DayInfo(day, kind, working, name, name_en, swapped_with=worked)
        return DayInfo(day, kind, working)

    def year(self, year: int) -> list[DayInfo]:
        """Every date of a year that is not an ordinary weekday or weekend, in order."""
        if not self.first_year <= year <= self.last_year:
            raise ClockError(
                "year", f"{year} is outside the calendar ({self.first_year}–{self.last_year})"
            )
        first = date(year, 1, 1).toordinal() - self._base
        last = date(year, 12, 31).toordinal() - self._base
        return [
            self.day_info(date.fromordinal(self._base + o))
            for o in range(first, last + 1)
            if self._kinds[o] not in (DayKind.WORKDAY, DayKind.WEEKEND)
        ]

    def working_days_in(self, year: int) -> int:
        first = self._offset(date(year, 1, 1), "year")
        last = self._offset(date(year, 12, 31), "year")
        return self._before[last + 1] - self._before[first]

    # -- moments ------------------------------------------------------------------------

    def _local(self, moment: datetime, place: str) -> datetime:
        if not isinstance(moment, datetime):
            raise ClockError(place, f"a datetime is required, got {moment!r}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ClockError(place, "a timezone-aware datetime is required")
        return moment.astimezone(LOCAL_TZ)

    def _ordinal(self, moment: datetime, place: str) -> int:
        """The working second ordinal of a moment (non-working time → the next working moment)."""
        # The hot path of every computation: table look-ups only, checks only when needed.
        if type(moment) is datetime and moment.tzinfo is not None:
            local = moment.astimezone(LOCAL_TZ)
        else:
            local = self._local(moment, place)
        offset = local.toordinal() - self._base
        if not 0 <= offset < self._total:
            self._offset(local.date(), place)  # raises, naming the place
        if not self._working[offset]:
            return self._before[offset] * self._spd
        minute = local.hour * 60 + local.minute
        elapsed = self._minute_elapsed[minute]
        if self._minute_inside[minute]:
            elapsed += local.second
        return self._before[offset] * self._spd + elapsed

    def _moment(self, ordinal: int, place: str) -> datetime:
        """The earliest local moment with this ordinal: on a boundary, the earlier session's end."""
        if ordinal <= 0:
            index, elapsed = 0, 0
        else:
            index, elapsed = divmod(ordinal - 1, self._spd)
            elapsed += 1
        if index >= len(self._ymd):
            raise ClockError(place, f"the result falls after the calendar's end ({self.last_year})")
        year, month, day = self._ymd[index]
        for end, start, before in self._inverse:
            if elapsed <= end:
                seconds = start + elapsed - before
                break
        return datetime(
            year, month, day, seconds // 3600, seconds // 60 % 60, seconds % 60, 0, LOCAL_TZ
        )

    def is_working_time(self, moment: datetime) -> bool:
        """Inside a session of a working day (start inclusive, end exclusive)."""
        local = self._local(moment, "moment")
        if not self._working[self._offset(local.date(), "moment")]:
            return False
        clock = local.hour * 3600 + local.minute * 60 + local.second
        return any(start <= clock < end for start, end, _ in self._bounds)

    def next_working_moment(self, moment: datetime) -> datetime:
        """The moment itself if it is working time, else the start of the next working session."""
        local = self._local(moment, "moment")
        offset = self._offset(local.date(), "moment")
        if self._working[offset] and self._minute_inside[local.hour * 60 + local.minute]:
            return local.replace(microsecond=0) if local.microsecond else local
        # Outside working time the ordinal sits on a session start: the next working moment.
        index, elapsed = divmod(self._ordinal(local, "moment"), self._spd)
        if index >= len(self._ymd):
            raise ClockError(
                "moment", f"no working day before the calendar's end ({self.last_year})"
            )
        year, month, day = self._ymd[index]
        start = self._start_after[elapsed]
        return datetime(year, month, day, start // 3600, start // 60 % 60, 0, 0, LOCAL_TZ)

    def receipt_moment(self, submitted_at: datetime, rule: ReceiptRule | None = None) -> datetime:
        """The official receipt moment of a submission (§1.5; rule defaults to the calendar's)."""
        chosen = ReceiptRule(rule) if rule is not None else self.receipt_rule
        if chosen is ReceiptRule.AS_SUBMITTED:
            return self._local(submitted_at, "submitted_at").replace(microsecond=0)
        return self.next_working_moment(submitted_at)

    # -- time limits --------------------------------------------------------------------

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        if seconds <= 0:
            raise ClockError("amount", f"a time limit must be greater than zero, got {seconds}")
        return self._moment(self._ordinal(start, "start") + seconds, "amount")

    def add_working_days(self, start: datetime, days: Amount) -> datetime:
        """Same clock time N working days later; fractions carried across lunch and nights."""
        if type(days) is int and days > 0:  # the common case, without Fraction arithmetic
            return self._moment(self._ordinal(start, "start") + days * self._spd, "days")
        return self.add_working_seconds(start, self._seconds(to_number(days, "days") * self._spd))

    def add_working_hours(self, start: datetime, hours: Amount) -> datetime:
        return self.add_working_seconds(start, self._seconds(to_number(hours, "hours") * 3600))

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """The close of office on the N-th calendar day after start (rolled if non-working)."""
        end = self._calendar_end(start, days)
        if self.roll_calendar_days:
            offset = self._offset(end, "days")
            index = self._before[offset]
            if index >= len(self._days):
                raise ClockError(
                    "days", f"the result falls after the calendar's end ({self.last_year})"
                )
            end = date.fromordinal(self._days[index])
        return datetime.combine(end, _clock(self._bounds[-1][1]), LOCAL_TZ)

    def _calendar_end(self, start: datetime, days: int) -> date:
        if isinstance(days, bool) or not isinstance(days, int):
            raise ClockError("days", f"calendar days must be a whole number, got {days!r}")
        if days <= 0:
            raise ClockError("days", f"a time limit must be greater than zero, got {days}")
        # Civil Code 2015 Art. 147: a period in days starts the day after the event.
        end = self._local(start, "start").date() + timedelta(days=days)
        self._offset(end, "days")
        return end

    def _seconds(self, value: Fraction) -> int:
        if value.denominator != 1:
            raise ClockError("amount", "the time limit is not a whole number of seconds")
        return int(value)

    def due(self, start: datetime, amount: Amount, unit: LimitUnit | str) -> datetime:
        """The due moment of a time limit counted from ``start``.

        ``start`` may be the submission moment itself: non-working time has the ordinal of the
        next working moment, so the due moment is the same as from the receipt moment.
        """
        if unit == LimitUnit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        chosen = _unit(unit)
        if chosen is LimitUnit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        if chosen is LimitUnit.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        number = to_number(amount, "days")
        if number.denominator != 1:
            raise ClockError("days", f"calendar days must be a whole number, got {amount}")
        return self.add_calendar_days(start, int(number))

    def between(self, first: datetime, second: datetime) -> WorkingSpan:
        """Working time from ``first`` to ``second``; additive: (a,b) + (b,c) = (a,c)."""
        seconds = self._ordinal(second, "second") - self._ordinal(first, "first")
        return WorkingSpan(seconds, self._spd)

    def explain_due(
        self,
        start: datetime,
        amount: Amount,
        unit: LimitUnit | str,
        *,
        submitted: bool = False,
    ) -> DueExplanation:
        """The due moment and why. With ``submitted``, ``start`` is first turned into the
        receipt moment by the calendar's receipt rule."""
        chosen = _unit(unit)
        submitted_at = self._local(start, "start").replace(microsecond=0)
        begin = self.receipt_moment(start) if submitted else submitted_at
        number = to_number(amount, "hours" if chosen is LimitUnit.WORKING_HOURS else "days")
        due = self.due(begin, amount, chosen)
        nominal_end = None
        if chosen is LimitUnit.CALENDAR_DAYS:
            nominal_end = self._calendar_end(begin, int(number))
            span = [
                self.day_info(nominal_end + timedelta(days=n))
                for n in range((due.date() - nominal_end).days)
            ]
            days: list[DayInfo] = []
        else:
            # From the submission day: days between submission and receipt are skipped too.
            first = submitted_at.date()
            span = [
                self.day_info(first + timedelta(days=n))
                for n in range((due.date() - first).days + 1)
            ]
            # The start day's own work counts only from the start moment on; keep it listed.
            days = [info for info in span if info.working and info.day >= begin.date()]
        return DueExplanation(
            start=begin,
            amount=number,
            unit=chosen,
            due=due,
            skipped=tuple(info for info in span if not info.working),
            make_up_counted=tuple(
                info
                for info in days
                if info.kind in (DayKind.MAKE_UP_DAY, DayKind.OVERRIDE_WORKING_DAY)
            ),
            working_days=tuple(info.day for info in days),
            submitted_at=submitted_at if submitted else None,
            nominal_end=nominal_end,
        )


_OVERRIDE_KIND = {
    OverrideKind.DAY_OFF: DayKind.OVERRIDE_DAY_OFF,
    OverrideKind.WORKING_DAY: DayKind.OVERRIDE_WORKING_DAY,
    OverrideKind.MAKE_UP_DAY: DayKind.MAKE_UP_DAY,
}


def _clock(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def _unit(unit: LimitUnit | str) -> LimitUnit:
    try:
        return LimitUnit(unit)
    except ValueError:
        choices = ", ".join(u.value for u in LimitUnit)
        raise ClockError("unit", f"{unit!r} is not one of {choices}") from None


OVERRIDE_COLUMNS = ("date", "kind", "name", "legal_ref")


def parse_overrides_csv(text: str, source: str = "overrides") -> list[Override]:
    """Overrides from CSV text with the header date,kind,name,legal_ref (date as YYYY-MM-DD).

    Errors name the source, line and column. Lines starting with '#' are comments.
    """
    rows = [line for line in io.StringIO(text) if not line.lstrip().startswith("#")]
    reader = csv.DictReader(rows)
    if tuple(reader.fieldnames or ()) != OVERRIDE_COLUMNS:
        raise ClockError(source, f"the header must be {','.join(OVERRIDE_COLUMNS)}")
    result: list[Override] = []
    seen: set[date] = set()
    for number, row in enumerate(reader, start=2):
        place = f"{source}, line {number}"
        try:
            day = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise ClockError(
                f"{place}, column date", f"{row['date']!r} is not YYYY-MM-DD"
            ) from None
        try:
            kind = OverrideKind(row["kind"].strip())
        except ValueError:
            kinds = ", ".join(k.value for k in OverrideKind)
            raise ClockError(
                f"{place}, column kind", f"{row['kind']!r} is not one of {kinds}"
            ) from None
        if day in seen:
            raise ClockError(f"{place}, column date", f"{day.isoformat()} is listed twice")
        seen.add(day)
        for column in ("name", "legal_ref"):
            if not (row[column] or "").strip():
                raise ClockError(f"{place}, column {column}", "must not be empty")
        result.append(Override(day, kind, row["name"].strip(), row["legal_ref"].strip()))
    return result
