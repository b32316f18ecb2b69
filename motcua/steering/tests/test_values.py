"""Recording values: corrections append, bad values are refused by field, targets."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.steering import definitions as codes
from motcua.steering.errors import InvalidInput, NotEnterable
from motcua.steering.models import IndicatorDefinition, IndicatorTarget, IndicatorValue
from motcua.steering.selectors import indicator_table, indicator_value_history
from motcua.steering.services import indicator_target_set, indicator_value_record
from motcua.units.selectors import unit_at

from .conftest import SEED_DAY


def definition(code):
    return IndicatorDefinition.objects.get(code=code)


def row_of(unit, on, code):
    return next(r for r in indicator_table(unit, on) if r.definition.code == code)


@pytest.mark.django_db
def test_a_correction_appends_and_keeps_the_history(steering_world, city):
    leader = User.objects.get(username="lanhdao.thanhpho")
    signature = definition(codes.DIGITAL_SIGNATURE)
    first = IndicatorValue.objects.get(definition=signature, unit=city, period_end=SEED_DAY)

    corrected = indicator_value_record(
        definition=signature,
        unit=city,
        period_start=date(2024, 1, 1),
        period_end=SEED_DAY,
        numerator=1500,
        denominator=24007,
        entered_by=leader,
        note="Bổ sung số liệu của Viettel",
        entered_at=datetime(2024, 5, 30, 9, 0, tzinfo=LOCAL_TZ),
    )

    assert corrected.pk != first.pk
    assert corrected.supersedes == first
    first.refresh_from_db()
    assert (first.numerator, first.denominator) == (1459, 24007)  # never updated in place
    history = list(indicator_value_history(signature, city, SEED_DAY))
    assert [(v.numerator, v.supersedes_id) for v in history] == [(1459, None), (1500, first.pk)]
    row = row_of(city, SEED_DAY, codes.DIGITAL_SIGNATURE)
    assert row.text == "1.500/24.007 = 6,25%"
    assert [(h.text, h.superseded) for h in row.history] == [
        ("1.500/24.007 = 6,25%", False),
        ("1.459/24.007 = 6,08%", True),
    ]
    assert row.history[0].recorded_by == leader.full_name
    assert row.history[0].note == "Bổ sung số liệu của Viettel"


@pytest.mark.django_db
def test_recording_the_current_value_again_changes_nothing(steering_world, city):
    accounts = definition(codes.EID_ACCOUNTS)
    current = IndicatorValue.objects.get(definition=accounts, unit=city)
    again = indicator_value_record(
        definition=accounts,
        unit=city,
        period_start=current.period_start,
        period_end=SEED_DAY,
        numerator=25328,
        note=current.note,
    )
    assert again == current
    assert IndicatorValue.objects.filter(definition=accounts, unit=city).count() == 1


@pytest.mark.django_db
def test_a_later_period_becomes_the_current_value(steering_world, city):
    accounts = definition(codes.EID_ACCOUNTS)
    indicator_value_record(
        definition=accounts, unit=city, period_end=date(2024, 6, 30), numerator=26001
    )
    assert row_of(city, date(2024, 7, 1), codes.EID_ACCOUNTS).text == "26.001"
    assert row_of(city, SEED_DAY, codes.EID_ACCOUNTS).text == "25.328"
    history = row_of(city, date(2024, 7, 1), codes.EID_ACCOUNTS).history
    assert [h.text for h in history] == ["26.001", "25.328"]
    assert not any(h.superseded for h in history)


def refused(exc_class=InvalidInput, **kwargs):
    before = IndicatorValue.objects.count()
    with pytest.raises(exc_class) as error:
        indicator_value_record(**kwargs)
    assert IndicatorValue.objects.count() == before
    return error.value


@pytest.mark.django_db
def test_computed_indicators_cannot_be_entered(steering_world, city):
    error = refused(
        NotEnterable,
        definition=definition(codes.DIGITISATION),
        unit=city,
        period_end=SEED_DAY,
        numerator=1238,
        denominator=1608,
    )
    assert error.field == "definition"
    assert "Tỷ lệ số hóa hồ sơ" in error.message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        (codes.DIGITAL_SIGNATURE, {"numerator": 24008}, "numerator"),
        (codes.DIGITAL_SIGNATURE, {"denominator": None}, "denominator"),
        (codes.DIGITAL_SIGNATURE, {"denominator": 0}, "denominator"),
        (codes.EID_ACCOUNTS, {"denominator": 5}, "denominator"),
        (codes.EID_ACCOUNTS, {"numerator": -1, "denominator": None}, "numerator"),
        (
            codes.EID_ACCOUNTS,
            {"denominator": None, "period_start": date(2024, 6, 1)},
            "period_start",
        ),
        (codes.EID_ACCOUNTS, {"denominator": None, "period_end": "future"}, "period_end"),
        (codes.EID_ACCOUNTS, {"denominator": None, "unit": "village"}, "unit"),
        (codes.MOBILE_COVERAGE, {"unit": "ward"}, "unit"),
        (codes.EID_ACCOUNTS, {"denominator": None, "period_end": date(2025, 8, 1)}, "unit"),
    ],
)
def test_bad_values_are_refused_naming_the_field(steering_world, city, code, changes, field):
    kwargs = {
        "definition": definition(code),
        "unit": city,
        "period_end": SEED_DAY,
        "numerator": 8,
        "denominator": 8 if definition(code).is_rate else None,
        **changes,
    }
    if kwargs["period_end"] == "future":
        kwargs["period_end"] = timezone.localdate() + timedelta(days=1)
    if kwargs["unit"] == "village":
        kwargs["unit"] = unit_at("01834-T01", SEED_DAY)
    elif kwargs["unit"] == "ward":
        kwargs["unit"] = unit_at("01840", SEED_DAY)
    if kwargs["numerator"] == 24008:
        kwargs["denominator"] = 24007
    error = refused(**kwargs)
    # Every problem is named (a future day is also after the city was abolished).
    assert field in {name for name, _message in error.problems}
    assert (error.field, error.message) == error.problems[0]


@pytest.mark.django_db
def test_a_chain_cannot_fork(steering_world, city):
    """Two corrections of the same value (two writers at once): the database keeps one."""
    accounts = definition(codes.EID_ACCOUNTS)
    head = IndicatorValue.objects.get(definition=accounts, unit=city)
    fields = {
        "definition": accounts,
        "unit": city,
        "period_end": SEED_DAY,
        "entered_at": timezone.now(),
    }
    IndicatorValue.objects.create(numerator=1, supersedes=head, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(numerator=2, supersedes=head, **fields)
    # Nor can a second chain start for the same indicator, unit and period end.
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(numerator=3, supersedes=None, **fields)


@pytest.mark.django_db
def test_targets_are_set_and_replaced(steering_world, city):
    accounts = definition(codes.EID_ACCOUNTS)
    target = indicator_target_set(
        definition=accounts, unit=city, year=2024, value="30000", legal_ref="QĐ 123/QĐ-UBND"
    )
    assert target.assigned_by.code == "06"
    assert row_of(city, SEED_DAY, codes.EID_ACCOUNTS).target_text == "30.000"
    assert row_of(city, SEED_DAY, codes.EID_ACCOUNTS).met is False
    indicator_target_set(definition=accounts, unit=city, year=2024, value=25000)
    assert IndicatorTarget.objects.filter(definition=accounts, unit=city).count() == 1
    assert row_of(city, SEED_DAY, codes.EID_ACCOUNTS).met is True
    signature = definition(codes.DIGITAL_SIGNATURE)
    indicator_target_set(definition=signature, unit=city, year=2024, value="6,08")
    row = row_of(city, SEED_DAY, codes.DIGITAL_SIGNATURE)
    assert row.target.value == Decimal("6.08")
    assert row.target_text == "6,08%"
    assert row.met is False  # 1.459/24.007 is 6,0774…%, just under 6,08%


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "value", "year", "unit", "field"),
    [
        (codes.DIGITISATION, "101", 2024, "058", "value"),
        (codes.DIGITISATION, "-1", 2024, "058", "value"),
        (codes.DIGITISATION, "nhiều", 2024, "058", "value"),
        (codes.EID_ACCOUNTS, "10,5", 2024, "058", "value"),
        (codes.EID_ACCOUNTS, "100", 1999, "058", "year"),
        (codes.MOBILE_COVERAGE, "100", 2024, "01840", "unit"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(steering_world, code, value, year, unit, field):
    before = IndicatorTarget.objects.count()
    with pytest.raises(InvalidInput) as error:
        indicator_target_set(
            definition=definition(code), unit=unit_at(unit, SEED_DAY), year=year, value=value
        )
    assert error.value.field == field
    assert IndicatorTarget.objects.count() == before
