"""`motcua clock`: output in Vietnamese (default) and English, and bad input."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.clock.models import CalendarOverride


def run(*args: str) -> str:
    out = StringIO()
    call_command("clock", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_prints_the_due_moment_and_the_skipped_days() -> None:
    lines = run("due", "--from", "2025-01-24 16:30", "--days", "5").splitlines()
    assert lines[:4] == [
        "Hạn giải quyết: 16:30 Thứ Sáu 07/02/2025",
        "Thời hạn: 5 ngày làm việc, tính từ 16:30 Thứ Sáu 24/01/2025",
        "Bỏ qua: Thứ Bảy 25/01/2025 (nghỉ cuối tuần)",
        "Bỏ qua: Chủ Nhật 26/01/2025 (nghỉ cuối tuần)",
    ]
    assert "Bỏ qua: Thứ Tư 29/01/2025 (Tết Nguyên Đán)" in lines
    assert len(lines) == 11


@pytest.mark.django_db
def test_it_speaks_english_and_applies_the_receipt_rule() -> None:
    lines = run(
        "due", "--from", "24/01/2025 18:30", "--hours", "8", "--submitted", "--lang", "en"
    ).splitlines()
    assert lines[:3] == [
        "Due: 17:00 Monday 03/02/2025",
        "Submitted: 18:30 Friday 24/01/2025; official receipt: 07:00 Monday 03/02/2025",
        "Time limit: 8 working hours from 07:00 Monday 03/02/2025",
    ]
    assert "Skipped: Wednesday 29/01/2025 (Lunar New Year)" in lines


@pytest.mark.django_db
def test_it_lists_a_year_with_the_official_overrides() -> None:
    run("load-official")
    out = run("year", "2026")
    assert "  Thứ Sáu 02/01/2026: Nghỉ Tết Dương lịch" in out
    assert "12729/VPCP-KGVX" in out
    assert "  Thứ Hai 31/08/2026: ngày nghỉ hoán đổi, làm bù Thứ Bảy 22/08/2026\n" in out
    assert "  Thứ Bảy 22/08/2026: ngày làm bù cho Thứ Hai 31/08/2026\n" in out
    assert "  Thứ Ba 24/11/2026: Ngày Văn hóa Việt Nam\n" in out
    assert out.endswith("Số ngày làm việc tính thời hạn: 249\n")


@pytest.mark.django_db
def test_it_checks_and_measures() -> None:
    assert run("check", "2025-03-03 12:00").splitlines() == [
        "12:00 Thứ Hai 03/03/2025: ngoài giờ làm việc (giờ làm việc 07:00-11:30, 13:30-17:00)",
        "Thời điểm làm việc kế tiếp: 13:30 Thứ Hai 03/03/2025",
    ]
    assert run("check", "2025-03-03 09:00") == "09:00 Thứ Hai 03/03/2025: trong giờ làm việc\n"
    assert run("between", "2025-03-03 09:00", "2025-03-04 11:00") == (
        "Thời gian làm việc từ 09:00 Thứ Hai 03/03/2025 đến 11:00 Thứ Ba 04/03/2025: "
        "1,25 ngày làm việc = 10 giờ làm việc\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["due", "--from", "2025-02-30 10:00", "--days", "1"], "--from: '2025-02-30 10:00' không"),
        (["due", "--from", "hôm qua", "--days", "1"], "--from: 'hôm qua' không phải ngày giờ"),
        (["due", "--from", "2025-01-24 16:30", "--days", "0"], "--days: thời hạn phải lớn hơn 0"),
        (["due", "--from", "2025-01-24 16:30", "--hours", "-3"], "--hours: thời hạn phải lớn"),
        (["due", "--from", "2025-01-24 16:30", "--days", "năm"], "--days: 'năm' không phải là số"),
        (["due", "--from", "2025-01-24 16:30", "--calendar-days", "2,5"], "--calendar-days: phải"),
        (["due", "--from", "2099-12-30 16:30", "--days", "9"], "--days: the result falls after"),
        (["due", "--from", "1999-12-30 16:30", "--days", "9"], "--from: 30/12/1999 is outside"),
        (["due", "--from", "2025-01-24 16:30", "--days", "1", "--unit", "X"], "--unit: không có"),
        (["due", "--from", "2025-01-24 16:30", "--days", "1", "--lang", "fr"], "--lang: 'fr'"),
        (["year", "hai"], "YEAR: 'hai' không phải là năm"),
        (["year", "1990"], "YEAR: 1990 is outside the calendar (2000–2099)"),
        (["check", "2025-01-24"], "MOMENT: '2025-01-24' không phải ngày giờ"),
        (["between", "2025-01-24 10:00", "x"], "SECOND: 'x' không phải ngày giờ"),
    ],
)
def test_it_refuses_bad_input_naming_the_option(args: list[str], message: str) -> None:
    before = list(CalendarOverride.objects.values_list("id", "updated_at"))
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert list(CalendarOverride.objects.values_list("id", "updated_at")) == before


@pytest.mark.django_db
def test_it_requires_one_time_limit() -> None:
    with pytest.raises(CommandError) as error:
        run("due", "--from", "2025-01-24 16:30")
    assert "--days --hours --calendar-days" in str(error.value)
