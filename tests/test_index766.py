"""Decision 766 groups and total (domain spec §5.1–§5.3): formula, sums, bands, configuration."""

import json
import subprocess
import sys
import unicodedata
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.index766 import (
    CODES,
    DEFAULT_CONFIG,
    GROUPS,
    INDICATOR_NAMES_VI,
    RATING_NAMES_VI,
    Bands,
    Config,
    Inputs,
    Rating,
    Ratio,
    index_data,
    inputs_from_figures,
    points_for,
    rating_for,
    rounded,
    score,
)
from motcua.core.metrics import Bucket

# The seed scenario: unit 058, 01/01/2024–22/05/2024 (common figures of the Bắc Kạn report).
SEED_TOTALS = {bucket: 0 for bucket in Bucket} | {
    Bucket.RECEIVED: 1608,
    Bucket.RECEIVED_ONLINE: 1342,
    Bucket.RECEIVED_DIRECT: 266,
    Bucket.CARRIED_OVER: 39,
    Bucket.RESOLVED: 1604,
    Bucket.RESOLVED_EARLY: 0,
    Bucket.RESOLVED_ON_TIME: 1599,
    Bucket.RESOLVED_LATE: 5,
    Bucket.PENDING: 43,
    Bucket.PENDING_WITHIN_TIME: 43,
    Bucket.PENDING_OVERDUE: 0,
    Bucket.OBLIGATION: 1501,
    Bucket.PAID_ONLINE: 508,
    Bucket.DIGITISED: 1238,
    Bucket.CERTIFICATION: 412,
    Bucket.E_CERTIFIED: 103,
    Bucket.RATED: 1604,
    Bucket.SATISFIED: 1604,
}
SEED_COVERAGE = {"district": (189, 257), "commune": (75, 114)}


# The generic formula (§5.3 [S]): M from the threshold on, M × r / T below it.


@pytest.mark.parametrize(
    ("ratio", "threshold", "points", "expected"),
    [
        (F(8, 10), F(8, 10), F(8), F(8)),  # exactly at the threshold: everything
        (F(81, 100), F(8, 10), F(8), F(8)),  # above it
        (F(1), F(8, 10), F(8), F(8)),
        (F(79, 100), F(8, 10), F(8), F(79, 10)),  # just below: 8 × 0.79 / 0.8
        (F(4, 10), F(8, 10), F(8), F(4)),  # half the threshold: half the points
        (F(0), F(8, 10), F(8), F(0)),
        (F(1, 2), F(1, 2), F(4), F(4)),  # 3.3 at 50%
        (F(49, 100), F(1, 2), F(4), F(392, 100)),
        (F(9, 10), F(9, 10), F(6), F(6)),  # 5.4 at 90%
        (F(899, 1000), F(9, 10), F(6), F(5394, 900)),
        (F(3, 4), F(1), F(16), F(12)),  # threshold 1: in proportion
        (F(5, 4), F(1), F(4), F(4)),  # 2.2 faster than the statute: capped at the maximum
    ],
)
def test_it_scores_a_ratio_against_its_threshold(ratio, threshold, points, expected):
    assert points_for(ratio, points=points, threshold=threshold) == expected


ratios = st.fractions(min_value=0, max_value=2, max_denominator=10_000)
thresholds = st.fractions(min_value=F(1, 100), max_value=1, max_denominator=1000)
maxima = st.fractions(min_value=F(1, 10), max_value=22, max_denominator=100)


@settings(max_examples=300, deadline=None)
@given(ratios, ratios, thresholds, maxima)
def test_a_score_never_exceeds_its_maximum_and_grows_with_the_ratio(r1, r2, threshold, points):
    low, high = sorted((r1, r2))
    a = points_for(low, points=points, threshold=threshold)
    b = points_for(high, points=points, threshold=threshold)
    assert 0 <= a <= b <= points
    assert (b == points) == (high >= threshold)


@st.composite
def measured_inputs(draw):
    """Any subset of the sub-indicators, each with counts (zero denominators included)."""
    found = {}
    for code in draw(st.sets(st.sampled_from(CODES))):
        denominator = draw(st.integers(0, 2000))
        found[code] = Ratio(draw(st.integers(0, denominator)), denominator)
    return Inputs(found)


@settings(max_examples=200, deadline=None)
@given(measured_inputs())
def test_groups_and_total_add_up(inputs):
    index = score(inputs)
    scores = []
    for group in index.groups:
        assert {i.code for i in group.measured} | set(group.unmeasured) == {
            c for c in CODES if c.startswith(f"{group.group.number}.")
        }
        assert all(i.ratio.denominator > 0 for i in group.measured)
        assert group.earned == sum((i.earned for i in group.measured), F(0))
        assert group.measured_max == sum((i.max_points for i in group.measured), F(0))
        assert 0 <= group.earned <= group.measured_max <= group.group.max_points
        if group.measured:
            assert group.score == group.earned / group.measured_max * group.group.max_points
            assert 0 <= group.score <= group.group.max_points
            scores.append(group.score)
        else:
            assert group.score is None
    assert index.total == sum(scores, F(0))
    assert index.reachable == sum(g.group.max_points for g in index.groups if g.measured)
    assert 0 <= index.total <= index.reachable <= 100
    if index.reachable:
        assert 0 <= index.out_of_100 <= 100
        assert index.rating == rating_for(index.out_of_100)
    else:
        assert index.out_of_100 is None
        assert index.rating is None


def test_every_group_measured_in_full_gives_the_hundred_points():
    index = score(Inputs({code: Ratio(1, 1) for code in CODES}))
    assert [g.score for g in index.groups] == [18, 20, 22, 22, 18]
    assert (index.total, index.reachable, index.out_of_100) == (100, 100, 100)
    assert index.complete
    assert index.rating is Rating.EXCELLENT


def test_a_zero_denominator_is_not_measured():
    index = score(Inputs({"2.1": Ratio(0, 0), "4.2": Ratio(0, 10)}))
    two, four = index.groups[1], index.groups[3]
    assert two.measured == ()
    assert two.unmeasured == ("2.1", "2.2")
    assert two.score is None
    assert [i.code for i in four.measured] == ["4.2"]
    assert four.score == 0
    assert index.reachable == 22
    assert index.rating is Rating.WEAK


def test_nothing_measured_gives_no_total_and_no_rating():
    index = score(Inputs())
    assert (index.total, index.reachable, index.out_of_100, index.rating) == (0, 0, None, None)
    assert index.unmeasured == CODES


# Rating bands (§5.2): ≥ 90 excellent and < 50 weak [C]; the bands between NOT CONFIRMED.


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        (100, Rating.EXCELLENT),
        (90, Rating.EXCELLENT),
        (Decimal("89.99"), Rating.GOOD),
        (80, Rating.GOOD),
        (Decimal("79.99"), Rating.FAIR),
        (70, Rating.FAIR),
        (Decimal("69.99"), Rating.AVERAGE),
        (50, Rating.AVERAGE),
        (Decimal("49.99"), Rating.WEAK),
        (0, Rating.WEAK),
        # Read as published (2 decimals, half-up): what shows as 90,00 is excellent.
        (F(89995, 1000), Rating.EXCELLENT),
        (F(89994, 1000), Rating.GOOD),
        (F(49995, 1000), Rating.AVERAGE),
        (F(49994, 1000), Rating.WEAK),
    ],
)
def test_it_rates_by_the_bands(value, rating):
    assert rating_for(value) is rating


def test_it_names_the_bands_in_vietnamese():
    assert [RATING_NAMES_VI[r] for r in Rating] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]


def test_configured_bands_move_the_intermediate_bounds_only():
    bands = Config.from_overrides({"bands": {"good": 85, "fair": "72.5", "average": 55}}).bands
    assert rating_for(F(8499, 100), bands) is Rating.FAIR
    assert rating_for(85, bands) is Rating.GOOD
    assert rating_for(F(7249, 100), bands) is Rating.AVERAGE
    assert rating_for(F(545, 10), bands) is Rating.WEAK
    assert rating_for(90, bands) is Rating.EXCELLENT
    no_fair = Bands(good=F(70), fair=F(70), average=F(50))
    assert rating_for(75, no_fair) is Rating.GOOD


@pytest.mark.parametrize(
    "bands", [{"good": 95}, {"average": 40}, {"fair": 85}, {"good": 60, "fair": 70}]
)
def test_it_refuses_bands_out_of_order(bands):
    with pytest.raises(ValueError, match="766 rating bands"):
        Config.from_overrides({"bands": bands})


# Configuration: defaults add up; overrides change points and thresholds; bad ones are refused.


def test_the_defaults_add_up_to_each_group_maximum():
    for group in GROUPS:
        members = DEFAULT_CONFIG.of_group(group.number)
        assert sum(i.points for i in members) == group.max_points
    assert sum(g.max_points for g in GROUPS) == 100
    assert [g.max_points for g in GROUPS] == [18, 20, 22, 22, 18]
    # The confirmed ones (§5.3 [C]): 1.2 = 4 points, 5.4 = 6 points from 90%.
    assert DEFAULT_CONFIG.indicator("1.2").points == 4
    assert DEFAULT_CONFIG.indicator("5.4").points == 6
    assert DEFAULT_CONFIG.indicator("5.4").threshold == F(9, 10)
    assert Config.from_overrides({}) == DEFAULT_CONFIG


def test_overrides_change_points_and_thresholds():
    config = Config.from_overrides(
        {
            "indicators": {
                "2.1": {"points": 14, "threshold": 0.9},
                "2.2": {"points": "6"},
                "4.2": {"threshold": Decimal("0.75")},
            }
        }
    )
    assert config.indicator("2.1").points == 14
    assert config.indicator("2.1").threshold == F(9, 10)  # 0.9 read as 9/10, not the float
    assert config.indicator("2.2").points == 6
    assert config.indicator("4.2").threshold == F(3, 4)
    assert config.indicator("4.2").points == 8  # untouched
    inputs = Inputs({"2.1": Ratio(90, 100), "2.2": Ratio(1, 2), "4.2": Ratio(3, 4)})
    index = score(inputs, config)
    earned = {i.code: i.earned for g in index.groups for i in g.measured}
    assert earned == {"2.1": 14, "2.2": 3, "4.2": 8}
    default = {i.code: i.earned for g in score(inputs).groups for i in g.measured}
    assert default == {"2.1": F(72, 5), "2.2": 2, "4.2": F(15, 2)}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"indicators": {"2.1": {"points": 14}}}, "2.1 (14) + 2.2 (4) add up to 18"),
        ({"indicators": {"5.4": {"points": 8}}}, "5.4 (8)"),
        ({"indicators": {"4.2": {"threshold": 0}}}, "766 indicator 4.2: threshold 0 is outside"),
        ({"indicators": {"3.3": {"threshold": 1.5}}}, "indicator 3.3: threshold 1.5 is outside"),
        ({"indicators": {"3.1": {"threshold": -0.2}}}, "indicator 3.1: threshold -0.2"),
        ({"indicators": {"1.1": {"points": 0}}}, "indicator 1.1: points must be more than 0"),
        ({"indicators": {"1.1": {"points": "many"}}}, "indicator 1.1 points: 'many'"),
        ({"indicators": {"1.1": {"points": True}}}, "indicator 1.1 points: True"),
        ({"indicators": {"1.1": {"threshold": "1/0"}}}, "indicator 1.1 threshold"),
        ({"indicators": {"1.1": {"threshold": float("nan")}}}, "indicator 1.1 threshold"),
        ({"indicators": {"2.3": {"points": 1}}}, "unknown indicator(s) 2.3"),
        ({"indicators": {"2.1": {"weight": 1}}}, "indicator 2.1: unknown key(s) weight"),
        ({"indicators": {"2.1": 16}}, "indicator 2.1: give a mapping"),
        ({"groups": {}}, "unknown key(s) groups"),
        ({"bands": {"excellent": 85}}, "bands must map"),
    ],
)
def test_it_refuses_bad_configuration_naming_the_indicator(overrides, message):
    with pytest.raises(ValueError) as raised:
        Config.from_overrides(overrides)
    assert message in str(raised.value)


def test_a_consistent_reallocation_within_a_group_is_accepted():
    config = Config.from_overrides({"indicators": {"2.1": {"points": 14}, "2.2": {"points": 6}}})
    assert [i.points for i in config.of_group(2)] == [14, 6]


# Inputs from a report's figures.


def test_the_seed_report_scores_as_computed_by_hand():
    inputs = inputs_from_figures(SEED_TOTALS, SEED_COVERAGE)
    assert dict(inputs.ratios) == {
        "2.1": Ratio(1642, 1647),  # (0 + 1.599 + 43) / (1.604 + 43)
        "3.1": Ratio(264, 371),  # (189 + 75) / (257 + 114) = 71,16%
        "3.3": Ratio(1342, 1608),  # 83,46%
        "3.6": Ratio(508, 1501),  # 33,84%
        "4.2": Ratio(1238, 1608),  # 76,99%
        "4.3": Ratio(0, 0),  # no paper in any store: unmeasured
        "5.4": Ratio(1642, 1647),  # 1 − (5/1.647 + 0/1.604)
    }
    index = score(inputs)
    earned = {i.code: i.earned for g in index.groups for i in g.measured}
    assert earned == {
        "2.1": F(16 * 1642, 1647),  # threshold 1: in proportion
        "3.1": F(1320, 371),  # 4 × (264/371) / 0,8
        "3.3": F(4),  # 83,46% ≥ 50%
        "3.6": F(3048, 1501),  # 6 × 508/1.501
        "4.2": F(12380, 1608),  # 8 × (1.238/1.608) / 0,8
        "5.4": F(6),  # 99,70% ≥ 90%
    }
    one, two, three, four, five = index.groups
    assert one.score is None
    assert one.unmeasured == ("1.1", "1.2", "1.3", "1.4")
    assert two.score == F(20 * 1642, 1647)
    assert two.unmeasured == ("2.2",)
    assert three.measured_max == 14
    assert three.score == (F(1320, 371) + 4 + F(3048, 1501)) / 14 * 22
    assert three.unmeasured == ("3.2", "3.4", "3.5")
    assert four.score == F(12380, 1608) / 8 * 22
    assert four.unmeasured == ("4.1", "4.3", "4.4", "4.5")
    assert five.score == 18
    assert five.unmeasured == ("5.1", "5.2", "5.3")
    shown = [rounded(g.score) for g in index.groups[1:]]
    assert shown == [Decimal("19.94"), Decimal("15.07"), Decimal("21.17"), Decimal("18.00")]
    assert index.reachable == 82
    assert rounded(index.total) == Decimal("74.18")
    assert rounded(index.out_of_100) == Decimal("90.46")
    assert index.rating is Rating.EXCELLENT
    assert not index.complete


def test_the_seed_index_as_data():
    data = index_data(score(inputs_from_figures(SEED_TOTALS, SEED_COVERAGE)))
    json.dumps(data)
    assert (data["total"], data["reachable"], data["out_of_100"]) == (74.18, 82, 90.46)
    assert (data["rating"], data["rating_vi"], data["complete"]) == ("excellent", "Xuất sắc", False)
    group_three = data["groups"][2]
    assert group_three["name_vi"] == "Cung cấp dịch vụ trực tuyến"
    assert group_three["unmeasured"] == ["3.2", "3.4", "3.5"]
    assert group_three["indicators"][2] == {
        "code": "3.6",
        "name_vi": "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "label": "Dossiers paid online",
        "numerator": 508,
        "denominator": 1501,
        "percent": 33.84,
        "threshold_percent": 100.0,
        "points": 2.03,
        "max_points": 6.0,
    }
    assert data["groups"][0]["score"] is None


def test_accepts_figures_keyed_by_name():
    by_name = {bucket.value: n for bucket, n in SEED_TOTALS.items()}
    assert inputs_from_figures(by_name, SEED_COVERAGE) == inputs_from_figures(
        SEED_TOTALS, SEED_COVERAGE
    )


def test_satisfaction_counts_late_and_not_satisfied_dossiers():
    totals = SEED_TOTALS | {Bucket.PENDING_WITHIN_TIME: 40, Bucket.PENDING_OVERDUE: 3}
    totals |= {Bucket.RATED: 100, Bucket.SATISFIED: 80}
    ratio = inputs_from_figures(totals, SEED_COVERAGE).ratios["5.4"]
    assert ratio.value == 1 - F(8, 1647) - F(20, 100)
    index = score(inputs_from_figures(totals, SEED_COVERAGE))
    five = index.groups[4]
    assert five.measured[0].earned == 6 * ratio.value / F(9, 10)


def test_satisfaction_without_ratings_uses_the_late_rate_alone():
    totals = SEED_TOTALS | {Bucket.RATED: 0, Bucket.SATISFIED: 0}
    assert inputs_from_figures(totals, SEED_COVERAGE).ratios["5.4"] == Ratio(1642, 1647)


def test_satisfaction_never_falls_below_zero():
    totals = {Bucket.RESOLVED: 10, Bucket.RESOLVED_LATE: 10, Bucket.RATED: 4}
    assert inputs_from_figures(totals, {}).ratios["5.4"] == Ratio(0, 1)


def test_figures_of_an_empty_period_measure_nothing():
    inputs = inputs_from_figures({bucket: 0 for bucket in Bucket}, {"district": (0, 0)})
    assert [code for code in CODES if inputs.measured(code)] == []
    assert score(inputs).rating is None


def test_average_processing_time_is_scored_when_given():
    faster = inputs_from_figures(SEED_TOTALS, SEED_COVERAGE, processing_seconds=(500, 400))
    slower = inputs_from_figures(SEED_TOTALS, SEED_COVERAGE, processing_seconds=(300, 400))
    none = inputs_from_figures(SEED_TOTALS, SEED_COVERAGE, processing_seconds=(300, 0))
    assert score(faster).groups[1].measured[1].earned == 4
    assert score(slower).groups[1].measured[1].earned == 3
    assert score(none).groups[1].unmeasured == ("2.2",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({Bucket.SATISFIED: 1605}, "satisfied (1605) is more than its whole (1604)"),
        ({Bucket.PAID_ONLINE: 1502}, "paid_online (1502)"),
        ({Bucket.RESOLVED_ON_TIME: 1700}, "resolved early or on time + pending within time"),
    ],
)
def test_it_refuses_figures_that_do_not_fit(change, message):
    with pytest.raises(ValueError) as raised:
        inputs_from_figures(SEED_TOTALS | change, SEED_COVERAGE)
    assert message in str(raised.value)


def test_it_refuses_unknown_codes_and_negative_counts():
    with pytest.raises(ValueError, match="'6.1' is not a 766 indicator"):
        Inputs({"6.1": Ratio(1, 2)})
    with pytest.raises(ValueError, match="numerator"):
        Ratio(-1, 2)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(F(19935, 1000), "19.94"), (F(19934, 1000), "19.93"), (F(1, 3), "0.33"), (18, "18.00")],
)
def test_it_rounds_half_up_for_display(value, shown):
    assert rounded(value) == Decimal(shown)
    assert str(rounded(value)) == shown


def test_vietnamese_names_are_nfc():
    names = [g.name_vi for g in GROUPS] + list(INDICATOR_NAMES_VI.values())
    names += list(RATING_NAMES_VI.values())
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_the_core_is_pure():
    code = "import sys, motcua.core.index766; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
