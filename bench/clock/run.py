"""Benchmark (not a test): due dates per second, the clock versus a naive day-by-day loop.

    .venv/bin/python bench/clock/run.py [--n 20000] [--seed 1]

Both compute the due moment of the same random submissions (any moment of 2024–2026) with
limits of 1–60 working days, after the same receipt rule (outside working time → start of the
next session). The naive loop asks the ``holidays`` package about every day, as a first
implementation would. The results are asserted equal before the rates are printed.
Target: the clock at least 20 times the naive loop (docs/clock.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock_time
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import holidays  # noqa: E402

from motcua.core.clock import LOCAL_TZ, LimitUnit, WorkingCalendar  # noqa: E402

SESSIONS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))


class Naive:
    """Day by day, asking the holidays package each time."""

    def __init__(self) -> None:
        # Years given up front: weekend_workdays only lists make-up days of populated years.
        self.vn = holidays.country_holidays("VN", years=range(2023, 2029), language="vi")
        self.make_up = set(self.vn.weekend_workdays)

    def working(self, day: date) -> bool:
        if day in self.make_up:
            return True
        return day.weekday() < 5 and day not in self.vn

    def receipt(self, moment: datetime) -> datetime:
        day, now = moment.date(), moment.time()
        if self.working(day):
            for start, end in SESSIONS:
                if now < start:
                    return datetime.combine(day, start, LOCAL_TZ)
                if now < end:
                    return moment
        day += timedelta(days=1)
        while not self.working(day):
            day += timedelta(days=1)
        return datetime.combine(day, SESSIONS[0][0], LOCAL_TZ)

    def due(self, start: datetime, days: int) -> datetime:
        day = start.date()
        for _ in range(days):
            day += timedelta(days=1)
            while not self.working(day):
                day += timedelta(days=1)
        clock = start.time()
        # A due moment on a session start is the end of the session before (§1.6 rule).
        if clock == SESSIONS[1][0]:
            return datetime.combine(day, SESSIONS[0][1], LOCAL_TZ)
        if clock == SESSIONS[0][0]:
            day -= timedelta(days=1)
            while not self.working(day):
                day -= timedelta(days=1)
            return datetime.combine(day, SESSIONS[1][1], LOCAL_TZ)
        return datetime.combine(day, clock, LOCAL_TZ)


def cases(n: int, seed: int) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    first = datetime(2024, 1, 1, tzinfo=LOCAL_TZ)
    minutes = (datetime(2026, 12, 31, tzinfo=LOCAL_TZ) - first) // timedelta(minutes=1)
    return [
        (first + timedelta(minutes=rng.randrange(minutes)), rng.randint(1, 60)) for _ in range(n)
    ]


def rate(label: str, work: list[tuple[datetime, int]], fn) -> tuple[float, list[datetime]]:  # type: ignore[no-untyped-def]
    started = clock_time.perf_counter()
    results = [fn(moment, days) for moment, days in work]
    elapsed = clock_time.perf_counter() - started
    per_second = len(work) / elapsed
    print(f"{label:<38} {per_second:>12,.0f} due dates/s  ({elapsed:.3f} s)")
    return per_second, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = cases(args.n, args.seed)

    setup = clock_time.perf_counter()
    calendar = WorkingCalendar()  # package data only: the same facts the naive loop sees
    naive = Naive()
    for moment, days in work[:200]:  # warm both up (lunar tables, year caches)
        calendar.due(calendar.receipt_moment(moment), days, LimitUnit.WORKING_DAYS)
        naive.due(naive.receipt(moment), days)
    print(f"setup and warm-up: {clock_time.perf_counter() - setup:.3f} s; {len(work):,} cases")

    # The clock needs no receipt step for the due moment: non-working time has the ordinal of
    # the next working moment (property-tested: due(receipt(s)) == due(s)).
    fast, ours = rate(
        "clock (ordinals, O(1))", work, lambda m, d: calendar.due(m, d, LimitUnit.WORKING_DAYS)
    )
    rate(
        "clock, receipt moment first",
        work,
        lambda m, d: calendar.due(calendar.receipt_moment(m), d, LimitUnit.WORKING_DAYS),
    )
    slow, theirs = rate(
        "naive day-by-day loop (holidays)", work, lambda m, d: naive.due(naive.receipt(m), d)
    )
    mismatches = [(w, a, b) for w, a, b in zip(work, ours, theirs, strict=True) if a != b]
    assert not mismatches, f"{len(mismatches)} results differ, first: {mismatches[0]}"
    print(f"same results: {len(work):,}/{len(work):,}")
    ratio = fast / slow
    print(f"ratio: {ratio:.1f}x (target >= 20x) {'OK' if ratio >= 20 else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
