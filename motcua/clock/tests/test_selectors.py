"""Calendars from the database: nationwide and province overrides, policies, office hours."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from motcua.clock.models import CalendarOverride, CalendarPolicy, OfficeHours
from motcua.clock.selectors import _chain, _province, calendar_for, office_hours_for
from motcua.clock.services import load_official_overrides
from motcua.core.clock import LOCAL_TZ, DayKind, ReceiptRule
from motcua.units.models import AdministrativeUnit, Agency

MONDAY = date(2025, 3, 3)


@pytest.fixture
def tree() -> dict[str, AdministrativeUnit]:
    bac_kan = AdministrativeUnit.objects.create(code="06", name="Tỉnh Bắc Kạn", kind="province")
    city = AdministrativeUnit.objects.create(
        code="058", name="Thành phố Bắc Kạn", kind="city", parent=bac_kan
    )
    ward = AdministrativeUnit.objects.create(
        code="01840", name="Phường Đức Xuân", kind="ward", parent=city
    )
    other = AdministrativeUnit.objects.create(
        code="01", name="Thành phố Hà Nội", kind="central_city"
    )
    return {"province": bac_kan, "city": city, "ward": ward, "other": other}


@pytest.mark.django_db
def test_it_finds_the_province_by_walking_parents(tree: dict[str, AdministrativeUnit]) -> None:
    assert _chain(tree["ward"]) == [tree["ward"], tree["city"], tree["province"]]
    assert _province(_chain(tree["ward"])) == tree["province"]
    assert _province(_chain(tree["other"])) == tree["other"]
    assert _province(_chain(None)) is None


@pytest.mark.django_db
def test_it_applies_province_overrides_only_in_that_province(
    tree: dict[str, AdministrativeUnit],
) -> None:
    CalendarOverride.objects.create(
        province=tree["province"], date=MONDAY, kind="day_off", name="Lễ hội tỉnh",
        legal_ref="Quyết định 1/QĐ-UBND",
    )  # fmt: skip
    assert calendar_for(tree["ward"]).is_working_day(MONDAY) is False
    assert calendar_for(tree["ward"]).day_info(MONDAY).legal_ref == "Quyết định 1/QĐ-UBND"
    assert calendar_for(tree["other"]).is_working_day(MONDAY) is True
    assert calendar_for().is_working_day(MONDAY) is True


@pytest.mark.django_db
def test_it_lets_a_province_override_a_nationwide_one(tree: dict[str, AdministrativeUnit]) -> None:
    CalendarOverride.objects.create(
        date=MONDAY, kind="day_off", name="Nghỉ toàn quốc", legal_ref="CV 1/VPCP"
    )
    CalendarOverride.objects.create(
        province=tree["province"], date=MONDAY, kind="working_day", name="Làm việc",
        legal_ref="CV 2/UBND",
    )  # fmt: skip
    assert calendar_for().is_working_day(MONDAY) is False
    assert calendar_for(tree["other"]).is_working_day(MONDAY) is False
    info = calendar_for(tree["city"]).day_info(MONDAY)
    assert (info.working, info.kind, info.legal_ref) == (
        True,
        DayKind.OVERRIDE_WORKING_DAY,
        "CV 2/UBND",
    )


@pytest.mark.django_db
def test_it_sees_admin_edits_at_once(tree: dict[str, AdministrativeUnit]) -> None:
    assert calendar_for(tree["ward"]).is_working_day(MONDAY) is True
    row = CalendarOverride.objects.create(
        date=MONDAY, kind="day_off", name="Nghỉ", legal_ref="CV 1/VPCP"
    )
    assert calendar_for(tree["ward"]).is_working_day(MONDAY) is False
    row.kind = "working_day"
    row.save()
    assert calendar_for(tree["ward"]).is_working_day(MONDAY) is True
    row.delete()
    assert calendar_for(tree["ward"]).day_info(MONDAY).kind is DayKind.WORKDAY


@pytest.mark.django_db
def test_it_follows_the_policy_of_the_province(tree: dict[str, AdministrativeUnit]) -> None:
    make_up = date(2025, 4, 26)
    CalendarPolicy.objects.create(
        province=tree["province"], make_up_days_count=False, receipt_rule="as_submitted"
    )
    strict = calendar_for(tree["ward"])
    assert strict.is_working_day(make_up) is False
    assert strict.receipt_rule is ReceiptRule.AS_SUBMITTED
    assert calendar_for(tree["other"]).is_working_day(make_up) is True


@pytest.mark.django_db
@override_settings(MOTCUA_CLOCK={"MAKE_UP_DAYS_COUNT": False, "RECEIPT_RULE": "as_submitted"})
def test_it_falls_back_to_settings() -> None:
    calendar = calendar_for()
    assert calendar.make_up_days_count is False
    assert calendar.receipt_rule is ReceiptRule.AS_SUBMITTED


@pytest.mark.django_db
def test_it_picks_office_hours_agency_then_unit_then_default(
    tree: dict[str, AdministrativeUnit],
) -> None:
    agency = Agency.objects.create(
        code="BP1C-DX", name="Bộ phận một cửa phường Đức Xuân", kind="one_stop", unit=tree["ward"]
    )
    assert str(office_hours_for(tree["ward"])) == "07:00-11:30, 13:30-17:00"
    OfficeHours.objects.create(sessions="07:15-11:30, 13:30-17:00", valid_from=date(2020, 1, 1))
    OfficeHours.objects.create(
        unit=tree["province"], sessions="07:30-11:30, 13:30-17:00", valid_from=date(2020, 1, 1)
    )
    OfficeHours.objects.create(
        agency=agency, sessions="07:00-11:00, 13:00-17:00", valid_from=date(2030, 1, 1)
    )
    assert str(office_hours_for(tree["other"])) == "07:15-11:30, 13:30-17:00"
    assert str(office_hours_for(tree["ward"])) == "07:30-11:30, 13:30-17:00"
    assert str(office_hours_for(agency=agency)) == "07:30-11:30, 13:30-17:00"
    assert str(office_hours_for(agency=agency, on=date(2030, 1, 1))) == "07:00-11:00, 13:00-17:00"
    calendar = calendar_for(agency=agency)
    received = calendar.receipt_moment(datetime(2025, 3, 3, 7, 10, tzinfo=LOCAL_TZ))
    assert received == datetime(2025, 3, 3, 7, 30, tzinfo=LOCAL_TZ)


@pytest.mark.django_db
def test_it_refuses_bad_rows() -> None:
    before = CalendarOverride.objects.count()
    row = OfficeHours(sessions="7h-11h", valid_from=date(2025, 1, 1))
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "sessions" in error.value.message_dict
    override = CalendarOverride(date=MONDAY, kind="day_off", name="Nghỉ", legal_ref="")
    with pytest.raises(ValidationError) as error:
        override.full_clean()
    assert "legal_ref" in error.value.message_dict
    assert CalendarOverride.objects.count() == before


@pytest.mark.django_db
def test_it_loads_the_official_overrides_idempotently() -> None:
    assert load_official_overrides() == 2
    first = list(CalendarOverride.objects.values_list("date", "kind", "updated_at"))
    assert load_official_overrides() == 2
    assert list(CalendarOverride.objects.values_list("date", "kind", "updated_at")) == first
    assert [(d, k) for d, k, _ in first] == [
        (date(2026, 1, 2), "day_off"),
        (date(2026, 1, 10), "make_up_day"),
    ]
    calendar = calendar_for()
    assert calendar.is_working_day(date(2026, 1, 2)) is False
    assert calendar.is_working_day(date(2026, 1, 10)) is True
