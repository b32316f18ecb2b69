"""Computed indicators are the report's figures, read live; snapshots store them once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.metrics import Bucket, Period
from motcua.reports.selectors import report_for
from motcua.steering import definitions as codes
from motcua.steering.errors import InvalidInput
from motcua.steering.models import IndicatorDefinition, IndicatorSnapshot
from motcua.steering.selectors import indicator_table
from motcua.steering.services import indicator_snapshots_take
from motcua.units.selectors import unit_at

from .conftest import SEED_DAY

SEED = Period(date(2024, 1, 1), SEED_DAY)


def rows_by_code(unit, on, **kwargs):
    return {row.definition.code: row for row in indicator_table(unit, on, **kwargs)}


@pytest.mark.django_db
def test_computed_indicators_are_the_seeds_figures(steering_2024, city):
    rows = rows_by_code(city, SEED_DAY)
    assert rows[codes.DIGITISATION].text == "1.238/1.608 = 77%"
    assert rows[codes.E_CERTIFICATION].text == "103/412 = 25%"
    assert rows[codes.ONLINE_PAYMENT].text == "508/1.501 = 33,84%"
    assert rows[codes.ONLINE_SERVICES_DISTRICT].text == "189/257 = 73,54%"
    assert rows[codes.ONLINE_SERVICES_COMMUNE].text == "75/114 = 65,79%"
    # Targets of the province: digitisation 100% not met, e-certification 20% met.
    assert rows[codes.DIGITISATION].met is False
    assert rows[codes.E_CERTIFICATION].met is True


@pytest.mark.django_db
def test_computed_indicators_equal_report_for(steering_2024, city):
    report = report_for(city, SEED)
    rows = rows_by_code(city, SEED_DAY)
    expected = {
        codes.DIGITISATION: (report[Bucket.DIGITISED], report[Bucket.RECEIVED]),
        codes.E_CERTIFICATION: (report[Bucket.E_CERTIFIED], report[Bucket.CERTIFICATION]),
        codes.ONLINE_PAYMENT: (report[Bucket.PAID_ONLINE], report[Bucket.OBLIGATION]),
        codes.ONLINE_SERVICES_DISTRICT: report.coverage["district"],
        codes.ONLINE_SERVICES_COMMUNE: report.coverage["commune"],
    }
    for code, fraction in expected.items():
        assert (rows[code].numerator, rows[code].denominator) == fraction, code
    # Another period start gives that period's figures.
    march = Period(date(2024, 3, 1), SEED_DAY)
    report = report_for(city, march)
    rows = rows_by_code(city, SEED_DAY, start=march.start)
    assert (rows[codes.DIGITISATION].numerator, rows[codes.DIGITISATION].denominator) == (
        report[Bucket.DIGITISED],
        report[Bucket.RECEIVED],
    )
    assert rows[codes.DIGITISATION].denominator < 1608


@pytest.mark.django_db
def test_a_ward_has_no_city_level_indicator(steering_2024, ward):
    rows = rows_by_code(ward, SEED_DAY)
    assert codes.ONLINE_SERVICES_DISTRICT not in rows
    assert codes.MOBILE_COVERAGE not in rows
    assert codes.ONLINE_SERVICES_COMMUNE in rows
    report = report_for(ward, SEED)
    assert rows[codes.DIGITISATION].denominator == report[Bucket.RECEIVED]


@pytest.mark.django_db
def test_snapshots_are_taken_once(steering_2024, city):
    # 13 units exist on 22/05/2024 at province, district and commune level (the two
    # provinces, the city, Bạch Thông and nine communes); the city-level online services
    # apply to the 4 above commune level, the other 4 computed indicators to all 13.
    assert indicator_snapshots_take(on=SEED_DAY) == 4 + 4 * 13
    assert indicator_snapshots_take(on=SEED_DAY) == 0
    assert IndicatorSnapshot.objects.filter(period_end=SEED_DAY).count() == 56
    snapshot = IndicatorSnapshot.objects.get(
        definition__code=codes.DIGITISATION, unit=city, period_end=SEED_DAY
    )
    assert (snapshot.period_start, snapshot.numerator, snapshot.denominator) == (
        date(2024, 1, 1),
        1238,
        1608,
    )
    # A second worker inserting the same snapshot is refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorSnapshot.objects.create(
            definition=snapshot.definition,
            unit=city,
            period_start=snapshot.period_start,
            period_end=SEED_DAY,
            numerator=1,
            denominator=2,
            taken_at=timezone.now(),
        )
    # The snapshots are the computed indicators' history.
    row = rows_by_code(city, SEED_DAY + timedelta(days=7))[codes.DIGITISATION]
    assert [h.text for h in row.history] == ["1.238/1.608 = 77%"]
    assert row.history[0].period_end == SEED_DAY


@pytest.mark.django_db
def test_a_partial_run_is_completed_by_the_next(steering_2024, city):
    day = date(2024, 3, 31)
    IndicatorSnapshot.objects.create(
        definition=IndicatorDefinition.objects.get(code=codes.ONLINE_PAYMENT),
        unit=city,
        period_start=date(2024, 1, 1),
        period_end=day,
        numerator=1,
        denominator=1,
        taken_at=timezone.now(),
    )
    assert indicator_snapshots_take(on=day) == 55
    assert indicator_snapshots_take(on=day) == 0
    # The row already there is kept, never overwritten.
    kept = IndicatorSnapshot.objects.get(
        definition__code=codes.ONLINE_PAYMENT, unit=city, period_end=day
    )
    assert (kept.numerator, kept.denominator) == (1, 1)


@pytest.mark.django_db
def test_snapshots_refuse_a_future_day(steering_2024):
    with pytest.raises(InvalidInput) as error:
        indicator_snapshots_take(on=timezone.localdate() + timedelta(days=1))
    assert error.value.field == "on"
    assert not IndicatorSnapshot.objects.filter(period_end__gt=timezone.localdate()).exists()


@pytest.mark.django_db
def test_the_province_sees_its_whole_lineage(steering_2024):
    province = unit_at("06", SEED_DAY)
    rows = rows_by_code(province, SEED_DAY)
    report = report_for(province, SEED)
    assert rows[codes.DIGITISATION].denominator == report[Bucket.RECEIVED] >= 1608
