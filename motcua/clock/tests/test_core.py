"""Table tests of the pure clock against the domain spec §1.5–1.6 and §7 (2024–2026)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from motcua.clock.services import read_overrides_file
from motcua.core.clock import (
    LOCAL_TZ,
    ClockError,
    DayKind,
    LimitUnit,
    OfficeHours,
    Override,
    OverrideKind,
    ReceiptRule,
    WorkingCalendar,
    parse_overrides_csv,
)

PACKAGE = WorkingCalendar()
OFFICIAL = WorkingCalendar(overrides=read_overrides_file())


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ)


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# §7.2–7.4: every day civil servants are off (weekends inside the blocks included).
DAYS_OFF = {
    2024: [
        date(2024, 1, 1),
        *days("2024-02-08", "2024-02-14"),
        date(2024, 4, 18),
        *days("2024-04-27", "2024-05-01"),
        *days("2024-08-31", "2024-09-03"),
    ],
    2025: [
        date(2025, 1, 1),
        *days("2025-01-25", "2025-02-02"),
        *days("2025-04-05", "2025-04-07"),
        *days("2025-04-30", "2025-05-04"),
        *days("2025-08-30", "2025-09-02"),
    ],
    2026: [
        *days("2026-01-01", "2026-01-04"),
        *days("2026-02-14", "2026-02-22"),
        *days("2026-04-25", "2026-04-27"),
        *days("2026-04-30", "2026-05-03"),
        *days("2026-08-29", "2026-09-02"),
    ],
}
MAKE_UP_DAYS = [date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]


@pytest.mark.parametrize("day", [d for year in DAYS_OFF.values() for d in year], ids=str)
def test_it_keeps_every_official_day_off(day: date) -> None:
    assert OFFICIAL.is_working_day(day) is False


@pytest.mark.parametrize("day", MAKE_UP_DAYS, ids=str)
def test_it_counts_the_make_up_saturdays(day: date) -> None:
    assert day.weekday() == 5
    assert OFFICIAL.is_working_day(day) is True
    assert OFFICIAL.day_info(day).kind is DayKind.MAKE_UP_DAY


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_it_has_no_other_weekday_off_than_the_tables(year: int) -> None:
    listed = set(DAYS_OFF[year]) | {date(2026, 11, 24)}  # Culture Day: kept, §7.4 (NC)
    weekdays_off = {
        info.day for info in OFFICIAL.year(year) if not info.working and info.day.weekday() < 5
    }
    assert weekdays_off <= listed
    assert {d for d in listed if d.weekday() < 5 and d.year == year} == weekdays_off


def test_it_counts_the_working_days_of_each_year() -> None:
    # 2025: 261 weekdays − 11 weekdays off + 1 make-up Saturday (§7.3 "22 days off in total").
    assert [OFFICIAL.working_days_in(y) for y in (2024, 2025, 2026)] == [251, 250, 249]


def test_it_names_the_tet_days_2025() -> None:
    assert [OFFICIAL.day_info(d).name for d in days("2025-01-27", "2025-01-31")] == [
        "29 Tết",
        "Giao thừa Tết Nguyên Đán",
        "Tết Nguyên Đán",
        "Mùng hai Tết Nguyên Đán",
        "Mùng ba Tết Nguyên Đán",
    ]
    assert OFFICIAL.day_info(date(2025, 1, 25)).kind is DayKind.WEEKEND


def test_it_gives_the_compensatory_hung_kings_day_2026() -> None:
    info = OFFICIAL.day_info(date(2026, 4, 27))
    assert (info.kind, info.working, info.name) == (
        DayKind.COMPENSATORY,
        False,
        "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)",
    )


def test_it_swaps_29_april_2024_with_saturday_4_may() -> None:
    monday = OFFICIAL.day_info(date(2024, 4, 29))
    saturday = OFFICIAL.day_info(date(2024, 5, 4))
    assert (monday.kind, monday.swapped_with) == (DayKind.SWAPPED_DAY_OFF, date(2024, 5, 4))
    assert (saturday.kind, saturday.working, saturday.swapped_with) == (
        DayKind.MAKE_UP_DAY,
        True,
        date(2024, 4, 29),
    )


def test_it_needs_the_official_file_for_new_year_2026() -> None:
    # §7.4 [C]: the package lacks the 02/01 swap and the 10/01 make-up day (VPCP 12729).
    assert PACKAGE.is_working_day(date(2026, 1, 2)) is True
    assert PACKAGE.is_working_day(date(2026, 1, 10)) is False
    info = OFFICIAL.day_info(date(2026, 1, 2))
    assert info.kind is DayKind.OVERRIDE_DAY_OFF
    assert "12729/VPCP-KGVX" in info.legal_ref
    assert OFFICIAL.day_info(date(2026, 1, 10)).legal_ref == info.legal_ref


def test_it_keeps_culture_day_unless_overridden() -> None:
    culture_day = date(2026, 11, 24)
    assert OFFICIAL.day_info(culture_day).name == "Ngày Văn hóa Việt Nam"
    assert OFFICIAL.is_working_day(culture_day) is False
    working = WorkingCalendar(
        overrides=[
            Override(culture_day, OverrideKind.WORKING_DAY, "Ngày làm việc", "Quyết định X/UBND")
        ]
    )
    assert working.is_working_day(culture_day) is True
    assert working.day_info(culture_day).kind is DayKind.OVERRIDE_WORKING_DAY


@pytest.mark.parametrize(
    ("last_day", "next_working"),
    [
        (date(2024, 12, 31), date(2025, 1, 2)),
        (date(2025, 12, 31), date(2026, 1, 5)),
        (date(2026, 12, 31), date(2027, 1, 4)),
    ],
)
def test_it_crosses_year_ends(last_day: date, next_working: date) -> None:
    start = datetime.combine(last_day, time(9, 0), LOCAL_TZ)
    assert OFFICIAL.add_working_days(start, 1) == datetime.combine(
        next_working, time(9, 0), LOCAL_TZ
    )


# -- arithmetic ------------------------------------------------------------------------


def test_it_gives_the_cli_example_over_tet() -> None:
    assert OFFICIAL.due(at("2025-01-24 16:30"), 5, LimitUnit.WORKING_DAYS) == at("2025-02-07 16:30")


def test_it_spans_tet_2024_and_2026() -> None:
    assert OFFICIAL.add_working_days(at("2024-02-07 10:00"), 1) == at("2024-02-15 10:00")
    assert OFFICIAL.add_working_days(at("2026-02-13 10:00"), 1) == at("2026-02-23 10:00")


def test_it_ends_a_due_moment_on_a_boundary_at_the_earlier_session_end() -> None:
    assert OFFICIAL.add_working_days(at("2025-03-03 07:00"), 1) == at("2025-03-03 17:00")
    assert OFFICIAL.add_working_days(at("2025-03-03 13:30"), 1) == at("2025-03-04 11:30")
    assert OFFICIAL.add_working_hours(at("2025-03-03 07:00"), 4.5) == at("2025-03-03 11:30")


def test_it_carries_hours_over_lunch_and_nights() -> None:
    assert OFFICIAL.add_working_hours(at("2025-03-03 11:00"), 1) == at("2025-03-03 14:00")
    assert OFFICIAL.add_working_hours(at("2025-03-07 16:00"), 2) == at("2025-03-10 08:00")
    assert OFFICIAL.add_working_days(at("2025-03-03 10:00"), Fraction(1, 2)) == at(
        "2025-03-03 16:00"
    )
    assert OFFICIAL.add_working_days(at("2025-03-03 10:00"), Decimal("0.5")) == at(
        "2025-03-03 16:00"
    )


def test_it_counts_working_time_between_moments() -> None:
    span = OFFICIAL.between(at("2025-01-24 16:30"), at("2025-02-07 16:30"))
    assert (span.seconds, span.hours, span.days) == (5 * 8 * 3600, 40, 5)
    assert OFFICIAL.between(at("2025-01-25 09:00"), at("2025-01-26 09:00")).seconds == 0


@pytest.mark.parametrize(
    ("submitted", "received"),
    [
        ("2025-03-03 12:15", "2025-03-03 13:30"),  # lunch → afternoon session
        ("2025-03-03 06:10", "2025-03-03 07:00"),  # before opening
        ("2025-03-07 17:00", "2025-03-10 07:00"),  # closing time, Friday → Monday
        ("2025-01-24 18:30", "2025-02-03 07:00"),  # after hours before Tết
        ("2025-01-29 09:00", "2025-02-03 07:00"),  # on Tết
        ("2025-03-03 09:41", "2025-03-03 09:41"),  # working time: as is
    ],
)
def test_it_gives_the_receipt_moment(submitted: str, received: str) -> None:
    assert OFFICIAL.receipt_moment(at(submitted)) == at(received)


def test_it_can_receive_as_submitted() -> None:
    calendar = WorkingCalendar(receipt_rule=ReceiptRule.AS_SUBMITTED)
    assert calendar.receipt_moment(at("2025-03-03 12:15")) == at("2025-03-03 12:15")
    assert OFFICIAL.receipt_moment(at("2025-03-03 12:15"), ReceiptRule.AS_SUBMITTED) == at(
        "2025-03-03 12:15"
    )
    # Counting from lunch starts at 13:30 either way.
    assert calendar.add_working_hours(at("2025-03-03 12:15"), 1) == at("2025-03-03 14:30")


def test_it_tells_working_time() -> None:
    assert OFFICIAL.is_working_time(at("2025-03-03 07:00")) is True
    assert OFFICIAL.is_working_time(at("2025-03-03 11:30")) is False
    assert OFFICIAL.is_working_time(at("2025-03-03 16:59")) is True
    assert OFFICIAL.is_working_time(at("2025-03-03 17:00")) is False
    assert OFFICIAL.is_working_time(at("2025-04-26 09:00")) is True  # make-up Saturday


def test_it_converts_other_time_zones() -> None:
    utc = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    assert OFFICIAL.add_working_hours(utc, 1) == at("2025-03-03 10:00")


def test_it_can_leave_make_up_days_uncounted() -> None:
    strict = WorkingCalendar(make_up_days_count=False, overrides=read_overrides_file())
    assert strict.is_working_day(date(2025, 4, 26)) is False
    assert strict.is_working_day(date(2026, 1, 10)) is False
    assert OFFICIAL.add_working_days(at("2025-04-25 10:00"), 1) == at("2025-04-26 10:00")
    assert strict.add_working_days(at("2025-04-25 10:00"), 1) == at("2025-04-28 10:00")


def test_it_adds_calendar_days_and_rolls_past_days_off() -> None:
    assert OFFICIAL.due(at("2025-03-03 10:00"), 3, LimitUnit.CALENDAR_DAYS) == at(
        "2025-03-06 17:00"
    )
    # Ends on Mon 27/01/2025 (Tết) → end of Mon 03/02.
    assert OFFICIAL.add_calendar_days(at("2025-01-24 16:30"), 3) == at("2025-02-03 17:00")
    plain = WorkingCalendar(roll_calendar_days=False)
    assert plain.add_calendar_days(at("2025-01-24 16:30"), 3) == at("2025-01-27 17:00")


def test_it_uses_the_unit_office_hours() -> None:
    calendar = WorkingCalendar(office_hours=OfficeHours.parse("07:30-11:30, 13:30-17:00"))
    assert calendar.office_hours.seconds_per_day == 7.5 * 3600
    assert calendar.receipt_moment(at("2025-03-03 07:10")) == at("2025-03-03 07:30")
    assert calendar.add_working_days(at("2025-03-03 10:00"), 1) == at("2025-03-04 10:00")


def test_it_explains_a_due_date() -> None:
    explanation = OFFICIAL.explain_due(at("2025-01-24 18:30"), 5, "working_days", submitted=True)
    assert explanation.submitted_at == at("2025-01-24 18:30")
    assert explanation.start == at("2025-02-03 07:00")
    assert explanation.due == at("2025-02-07 17:00")
    assert [i.day for i in explanation.skipped] == days("2025-01-25", "2025-02-02")
    assert [i.kind for i in explanation.skipped[:3]] == [
        DayKind.WEEKEND,
        DayKind.WEEKEND,
        DayKind.HOLIDAY,
    ]
    assert explanation.working_days == tuple(days("2025-02-03", "2025-02-07"))
    counted = OFFICIAL.explain_due(at("2025-04-24 10:00"), 3, LimitUnit.WORKING_DAYS)
    assert [i.day for i in counted.make_up_counted] == [date(2025, 4, 26)]
    assert counted.due == at("2025-04-28 10:00")


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: OFFICIAL.add_working_days(at("2025-03-03 10:00"), 0), "days: a time limit must"),
        (lambda: OFFICIAL.add_working_hours(at("2025-03-03 10:00"), -2), "hours: a time limit"),
        (lambda: OFFICIAL.due(at("2025-03-03 10:00"), "5", "working_days"), "days: a number"),
        (lambda: OFFICIAL.due(at("2025-03-03 10:00"), True, "working_days"), "days: a number"),
        (lambda: OFFICIAL.due(at("2025-03-03 10:00"), 1, "weeks"), "unit: 'weeks' is not one"),
        (lambda: OFFICIAL.due(at("2025-03-03 10:00"), 1.5, "calendar_days"), "days: calendar"),
        (lambda: OFFICIAL.due(datetime(2025, 3, 3, 10), 1, "working_days"), "start: a timezone"),
        (lambda: OFFICIAL.add_working_days(at("2099-12-30 10:00"), 10), "after the calendar"),
        (lambda: OFFICIAL.is_working_day(date(1999, 12, 31)), "outside the calendar"),
        (lambda: OfficeHours.parse("7-11"), "sessions: session 1 '7-11' is not like"),
        (lambda: OfficeHours.parse("13:30-17:00, 07:00-11:30"), "sessions: 07:00–11:30 overlaps"),
        (lambda: OfficeHours.parse("11:30-07:00"), "ends before it starts"),
        (lambda: Override(date(2026, 1, 2), OverrideKind.DAY_OFF, "Nghỉ", " "), "legal_ref"),
    ],
)
def test_it_refuses_bad_input_naming_the_place(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClockError) as error:
        call()
    assert message in str(error.value)


def test_it_reports_the_line_and_column_of_a_bad_overrides_file() -> None:
    text = "date,kind,name,legal_ref\n2026-01-02,day_off,Nghỉ,CV 1\n2026-13-01,day_off,X,CV 2\n"
    with pytest.raises(ClockError) as error:
        parse_overrides_csv(text, "x.csv")
    assert str(error.value) == "x.csv, line 3, column date: '2026-13-01' is not YYYY-MM-DD"
    with pytest.raises(ClockError) as error:
        parse_overrides_csv("date,kind,name,legal_ref\n2026-01-02,holiday,X,CV\n", "x.csv")
    assert str(error.value).startswith("x.csv, line 2, column kind: 'holiday' is not one of")
    with pytest.raises(ClockError) as error:
        parse_overrides_csv("date,kind,name,legal_ref\n2026-01-02,day_off,X,\n", "x.csv")
    assert str(error.value) == "x.csv, line 2, column legal_ref: must not be empty"


def test_it_refuses_two_overrides_for_one_date() -> None:
    item = Override(date(2026, 3, 2), OverrideKind.DAY_OFF, "Nghỉ", "QĐ 1")
    with pytest.raises(ClockError) as error:
        WorkingCalendar(overrides=[item, item])
    assert str(error.value) == "overrides: two overrides for 2026-03-02"


def test_it_imports_no_django() -> None:
    code = "import sys, motcua.core.clock; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
