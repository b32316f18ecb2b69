"""Decision 766/QĐ-TTg: the five groups, their sub-indicators and the total (domain spec §5).

Pure: no Django, no I/O, exact arithmetic (:class:`~fractions.Fraction`); values are rounded
only for display (:func:`rounded`, 2 decimals half-up).

- Five groups with maxima 18/20/22/22/18, total 100 (§5.1 [C]). Sub-indicator codes follow the
  national portal, where online services (3.x) precede digitisation (4.x) (§5.3 [S]); §5.1 lists
  digitisation third. Both groups have 22 points, so the total does not depend on the order.
- Every sub-indicator has points (its maximum) and a threshold ``T``; a measured ratio ``r``
  earns ``points`` when ``r >= T``, else ``points * r / T`` (§5.3 [S], generic pattern).
  Only the points of 1.2 (4) and 5.4 (6) are confirmed (§5.3 [C], Appendix A.8): the other
  points and most thresholds are best guesses, so :class:`Config` can override them.
- motcua holds the data for only some sub-indicators. An unmeasured one is left out of its
  group: the group's score is what its measured sub-indicators earned, scaled to the group's
  maximum, and the unmeasured codes are listed so a reader sees the group is partial. A group
  with nothing measured is left out of the total, and the total says how much was reachable.
- Rating bands (§5.2): from 90 excellent and below 50 weak [C]; the bands between are NOT
  CONFIRMED (:class:`Bands`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any

from motcua.core import rates
from motcua.core.metrics import Bucket


@dataclass(frozen=True)
class Group:
    """One of the five groups of §5.1 (nhóm chỉ số thành phần)."""

    number: int
    max_points: int
    name_vi: str  # the Decision's name: a proper name, shown as is in every language
    label: str  # English gloss


# §5.1 [C] maxima. Numbered as the portal numbers the sub-indicators (§5.3 [S]): 3 = online
# services and payment, 4 = digitisation (the reverse of §5.1's list; both have 22 points).
GROUPS: tuple[Group, ...] = (
    Group(1, 18, "Công khai, minh bạch", "Publicity and transparency"),
    Group(2, 20, "Tiến độ, kết quả giải quyết", "Progress and results of handling"),
    Group(3, 22, "Cung cấp dịch vụ trực tuyến", "Online services, including online payment"),
    Group(4, 22, "Số hóa hồ sơ", "Digitisation of dossiers"),
    Group(5, 18, "Mức độ hài lòng", "Satisfaction"),
)


@dataclass(frozen=True)
class Indicator:
    """A sub-indicator (chỉ số) of §5.3 with its maximum points and threshold."""

    code: str  # "2.1": group 2, sub-indicator 1
    name_vi: str
    label: str
    points: Fraction  # the most it can earn
    threshold: Fraction  # the ratio from which it earns its maximum, in (0, 1]

    @property
    def group(self) -> int:
        return int(self.code.split(".")[0])


# §5.3 names: [C] or [S] as transcribed there; 3.4 was not captured, 5.1 is paraphrased (NC).
INDICATOR_NAMES_VI: Mapping[str, str] = MappingProxyType(
    {
        "1.1": "TTHC công bố đúng hạn",
        "1.2": "TTHC cập nhật, công khai đúng hạn",
        "1.3": "Công khai đầy đủ các bộ phận tạo thành TTHC",
        "1.4": "Tỷ lệ hồ sơ đồng bộ trên Cổng DVCQG",
        "2.1": "Tỷ lệ hồ sơ xử lý trước và đúng hạn",
        "2.2": "Thời gian xử lý trung bình",
        "3.1": "TTHC cung cấp dịch vụ công trực tuyến",
        "3.2": "Dịch vụ công trực tuyến có phát sinh hồ sơ",
        "3.3": "Tỷ lệ hồ sơ nộp trực tuyến",
        "3.4": "Chỉ số 3.4 (chưa xác định)",
        "3.5": "TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến",
        "3.6": "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "4.1": "Cấp kết quả điện tử",
        "4.2": "Số hóa hồ sơ",
        "4.3": "Tái sử dụng dữ liệu số hóa",
        "4.4": "Kết nối kho dữ liệu",
        "4.5": "Khai thác dữ liệu dân cư, VNeID",
        "5.1": "Phản ánh, kiến nghị được xử lý theo phân loại",
        "5.2": "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn",
        "5.3": "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
        "5.4": "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
    }
)
INDICATOR_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "1.1": "Procedures announced on time",
        "1.2": "Procedures updated and published on time",
        "1.3": "Every component of a procedure published",
        "1.4": "Dossiers synchronised to the National Public Service Portal",
        "2.1": "Dossiers handled early or on time",
        "2.2": "Average processing time",
        "3.1": "Procedures offered as online public services",
        "3.2": "Online public services with at least one online dossier",
        "3.3": "Dossiers submitted online",
        "3.4": "Indicator 3.4 (not captured)",
        "3.5": "Procedures with fees integrated with online payment",
        "3.6": "Dossiers paid online",
        "4.1": "Electronic results issued",
        "4.2": "Digitisation of dossiers",
        "4.3": "Reuse of digitised data",
        "4.4": "Connection to the national data stores",
        "4.5": "Use of population data and VNeID",
        "5.1": "Feedback and petitions handled by category",
        "5.2": "Feedback and petitions handled on time",
        "5.3": "Satisfaction with the handling of feedback and petitions",
        "5.4": "Satisfaction with the handling of procedures",
    }
)

# §5.3: code -> (points, threshold) and how sure each is. Only the points of 1.2 and 5.4 are
# confirmed (Appendix A.8); every NC value is a best guess that makes its group add up to its
# §5.1 maximum, and settings can override it (docs/index766.md). Threshold 1 = in proportion.
_DEFAULTS: dict[str, tuple[int, str]] = {
    "1.1": (4, "1"),  # points NC, threshold NC
    "1.2": (4, "1"),  # points [C] (4/18), threshold NC
    "1.3": (4, "1"),  # points NC, threshold NC
    "1.4": (6, "1"),  # points NC, threshold NC
    "2.1": (16, "1"),  # points NC (on-time handling "up to 20" [C]), threshold NC
    "2.2": (4, "1"),  # points NC, threshold NC (formula NC: statutory / actual time)
    "3.1": (4, "0.8"),  # points NC, threshold [S]; 3.1–3.4 = online services 12 [S]
    "3.2": (2, "1"),  # points NC, threshold NC
    "3.3": (4, "0.5"),  # points NC, threshold [S]
    "3.4": (2, "1"),  # not captured: points NC, threshold NC
    "3.5": (4, "0.8"),  # points NC, threshold [S]; 3.5 + 3.6 = online payment 10 [S]
    "3.6": (6, "1"),  # points NC, threshold NC
    "4.1": (4, "1"),  # points NC, threshold NC
    "4.2": (8, "0.8"),  # points NC, threshold [S]
    "4.3": (4, "0.8"),  # points NC, threshold [S]
    "4.4": (3, "1"),  # points NC, threshold NC
    "4.5": (3, "1"),  # points NC, threshold NC
    "5.1": (5, "1"),  # points ≈5 [S], threshold NC
    "5.2": (5, "1"),  # points ≈5 [S], threshold NC
    "5.3": (2, "1"),  # points ≈2 [S], threshold NC
    "5.4": (6, "0.9"),  # points [C] (6/18), threshold [S]
}
DEFAULT_INDICATORS: tuple[Indicator, ...] = tuple(
    Indicator(code, INDICATOR_NAMES_VI[code], INDICATOR_LABELS[code], Fraction(p), Fraction(t))
    for code, (p, t) in _DEFAULTS.items()
)
CODES: tuple[str, ...] = tuple(indicator.code for indicator in DEFAULT_INDICATORS)


class Rating(StrEnum):
    """The rating band of a total (§5.2)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    AVERAGE = "average"
    WEAK = "weak"


RATING_NAMES_VI: Mapping[Rating, str] = MappingProxyType(
    {
        Rating.EXCELLENT: "Xuất sắc",
        Rating.GOOD: "Tốt",
        Rating.FAIR: "Khá",
        Rating.AVERAGE: "Trung bình",
        Rating.WEAK: "Yếu",
    }
)
RATING_LABELS: Mapping[Rating, str] = MappingProxyType(
    {
        Rating.EXCELLENT: "Excellent",
        Rating.GOOD: "Good",
        Rating.FAIR: "Fair",
        Rating.AVERAGE: "Average",
        Rating.WEAK: "Weak",
    }
)

# §5.2 [C]: from 90 excellent, below 50 weak. Not configurable: these two are confirmed.
EXCELLENT_FROM = Fraction(90)
WEAK_BELOW = Fraction(50)


@dataclass(frozen=True)
class Bands:
    """Where good, fair and average start (§5.2: NOT CONFIRMED; best guess 80, 70, 50).

    Equal bounds drop a band (``fair == good`` leaves no "Khá").
    """

    good: Fraction = Fraction(80)
    fair: Fraction = Fraction(70)
    average: Fraction = Fraction(50)

    def __post_init__(self) -> None:
        if not WEAK_BELOW <= self.average <= self.fair <= self.good <= EXCELLENT_FROM:
            raise ValueError(
                "766 rating bands: need 50 <= average <= fair <= good <= 90, got "
                f"average {_show(self.average)}, fair {_show(self.fair)}, good {_show(self.good)}"
            )


def _show(value: Fraction) -> str:
    return str(value) if value.denominator == 1 else f"{float(value):g}"


def _number(value: object, place: str) -> Fraction:
    """A configured number as an exact fraction; 0.8 means 4/5, not the float's binary value."""
    if isinstance(value, bool):
        raise ValueError(f"{place}: {value!r} is not a number")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            raise ValueError(f"{place}: {value!r} is not a finite number")
        return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{place}: {value!r} is not a number") from None
    raise ValueError(f"{place}: {value!r} is not a number")


@dataclass(frozen=True)
class Config:
    """Points, thresholds and bands in force; validated when built.

    Settings hold only overrides (``settings.MOTCUA_766``); build with :meth:`from_overrides`.
    """

    indicators: tuple[Indicator, ...] = DEFAULT_INDICATORS
    bands: Bands = field(default_factory=Bands)

    def __post_init__(self) -> None:
        codes = tuple(indicator.code for indicator in self.indicators)
        if codes != CODES:
            raise ValueError(f"766 indicators must be {', '.join(CODES)} in that order")
        for indicator in self.indicators:
            if indicator.points <= 0:
                raise ValueError(
                    f"766 indicator {indicator.code}: points must be more than 0, "
                    f"got {_show(indicator.points)}"
                )
            if not 0 < indicator.threshold <= 1:
                raise ValueError(
                    f"766 indicator {indicator.code}: threshold {_show(indicator.threshold)} "
                    "is outside (0, 1]"
                )
        for group in GROUPS:
            members = self.of_group(group.number)
            total = sum((indicator.points for indicator in members), Fraction(0))
            if total != group.max_points:
                parts = " + ".join(f"{i.code} ({_show(i.points)})" for i in members)
                raise ValueError(
                    f"766 group {group.number}: the points of {parts} add up to "
                    f"{_show(total)}, not the group's maximum {group.max_points}"
                )

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> Config:
        """The defaults with ``overrides`` applied, e.g.::

            {"indicators": {"2.1": {"points": 14, "threshold": 0.9}, "2.2": {"points": 6}},
             "bands": {"good": 80, "fair": 70, "average": 50}}

        Numbers may be int, float, Decimal, Fraction or text ("0.8", "4/5"). Anything unknown
        or invalid raises ValueError naming the indicator code or key.
        """
        unknown = set(overrides) - {"indicators", "bands"}
        if unknown:
            raise ValueError(
                f"766 settings: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                "use indicators, bands"
            )
        changes = overrides.get("indicators", {})
        if not isinstance(changes, Mapping):
            raise ValueError("766 settings: indicators must map codes to {points, threshold}")
        unknown = set(changes) - set(CODES)
        if unknown:
            raise ValueError(
                f"766 settings: unknown indicator(s) {', '.join(sorted(map(str, unknown)))}"
            )
        indicators = []
        for indicator in DEFAULT_INDICATORS:
            change = changes.get(indicator.code, {})
            if not isinstance(change, Mapping):
                raise ValueError(
                    f"766 indicator {indicator.code}: give a mapping with points and/or threshold"
                )
            if set(change) - {"points", "threshold"}:
                extra = ", ".join(sorted(map(str, set(change) - {"points", "threshold"})))
                raise ValueError(
                    f"766 indicator {indicator.code}: unknown key(s) {extra}; use points, threshold"
                )
            if "points" in change:
                points = _number(change["points"], f"766 indicator {indicator.code} points")
                indicator = replace(indicator, points=points)
            if "threshold" in change:
                threshold = _number(
                    change["threshold"], f"766 indicator {indicator.code} threshold"
                )
                indicator = replace(indicator, threshold=threshold)
            indicators.append(indicator)
        bands = overrides.get("bands", {})
        if not isinstance(bands, Mapping) or set(bands) - {"good", "fair", "average"}:
            raise ValueError("766 settings: bands must map good, fair and/or average to a number")
        bounds = {name: _number(value, f"766 rating band {name}") for name, value in bands.items()}
        return cls(tuple(indicators), Bands(**bounds))

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise ValueError(f"{code!r} is not a 766 indicator ({', '.join(CODES)})")

    def of_group(self, number: int) -> tuple[Indicator, ...]:
        return tuple(indicator for indicator in self.indicators if indicator.group == number)


DEFAULT_CONFIG = Config()


@dataclass(frozen=True)
class Ratio:
    """A measured ratio as counted: numerator / denominator. A zero denominator: not measured."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        for name in ("numerator", "denominator"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"766 ratio {name}: {value!r} is not a whole number >= 0")

    @classmethod
    def of(cls, value: Fraction) -> Ratio:
        """A derived share (5.4) in lowest terms; its terms are not counts."""
        return cls(value.numerator, value.denominator)

    @property
    def value(self) -> Fraction | None:
        if self.denominator == 0:
            return None
        return Fraction(self.numerator, self.denominator)


@dataclass(frozen=True)
class Inputs:
    """The measured ratio of each sub-indicator motcua holds data for; the others are absent."""

    ratios: Mapping[str, Ratio] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for code, ratio in self.ratios.items():
            if code not in CODES:
                raise ValueError(f"{code!r} is not a 766 indicator ({', '.join(CODES)})")
            if not isinstance(ratio, Ratio):
                raise ValueError(f"766 indicator {code}: {ratio!r} is not a Ratio")
        object.__setattr__(self, "ratios", MappingProxyType(dict(self.ratios)))

    def measured(self, code: str) -> Ratio | None:
        """The ratio of ``code`` if it was measured (present, with a denominator above 0)."""
        ratio = self.ratios.get(code)
        if ratio is None or ratio.denominator == 0:
            return None
        return ratio


def points_for(ratio: Fraction, *, points: Fraction, threshold: Fraction) -> Fraction:
    """§5.3 [S]: ``points`` from the threshold on, else in proportion (``points * r / T``)."""
    if ratio >= threshold:
        return points
    return points * max(ratio, Fraction(0)) / threshold


@dataclass(frozen=True)
class IndicatorScore:
    """A measured sub-indicator: its ratio and what it earned out of its points."""

    indicator: Indicator
    ratio: Ratio
    earned: Fraction

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def value(self) -> Fraction:
        return Fraction(self.ratio.numerator, self.ratio.denominator)

    @property
    def max_points(self) -> Fraction:
        return self.indicator.points


@dataclass(frozen=True)
class GroupScore:
    """A group: what its measured sub-indicators earned, and what was not measured.

    The scores are exact fractions computed once (``cached_property``: the instance is frozen,
    so they cannot go stale); the total, the rating and every group's line read them again
    (issue 17: 1.400 fractions a figures request)."""

    group: Group
    measured: tuple[IndicatorScore, ...]
    unmeasured: tuple[str, ...]  # codes without data: the group's score leaves them out

    @cached_property
    def earned(self) -> Fraction:
        return sum((item.earned for item in self.measured), Fraction(0))

    @cached_property
    def measured_max(self) -> Fraction:
        return sum((item.max_points for item in self.measured), Fraction(0))

    @cached_property
    def score(self) -> Fraction | None:
        """Earned / measured maximum × the group's maximum; None when nothing was measured."""
        if not self.measured:
            return None
        return self.earned / self.measured_max * self.group.max_points

    @property
    def partial(self) -> bool:
        return bool(self.unmeasured)


@dataclass(frozen=True)
class Index766:
    """The five groups and the total over the groups that had anything measured."""

    groups: tuple[GroupScore, ...]
    bands: Bands

    @cached_property
    def total(self) -> Fraction:
        return sum((g.score for g in self.groups if g.score is not None), Fraction(0))

    @cached_property
    def reachable(self) -> int:
        """The most :attr:`total` could be: the maxima of the groups that count (100 if all)."""
        return sum(g.group.max_points for g in self.groups if g.measured)

    @cached_property
    def out_of_100(self) -> Fraction | None:
        """The total scaled to 100 (the same scaling as a partial group); None: nothing."""
        if not self.reachable:
            return None
        return self.total / self.reachable * 100

    @cached_property
    def rating(self) -> Rating | None:
        score = self.out_of_100
        return None if score is None else rating_for(score, self.bands)

    @property
    def unmeasured(self) -> tuple[str, ...]:
        return tuple(code for g in self.groups for code in g.unmeasured)

    @property
    def complete(self) -> bool:
        return not self.unmeasured


def score(inputs: Inputs, config: Config = DEFAULT_CONFIG) -> Index766:
    """Every group's and the total's score from the measured ratios."""
    groups = []
    for group in GROUPS:
        measured: list[IndicatorScore] = []
        unmeasured: list[str] = []
        for indicator in config.of_group(group.number):
            ratio = inputs.measured(indicator.code)
            if ratio is None:
                unmeasured.append(indicator.code)
                continue
            earned = points_for(
                Fraction(ratio.numerator, ratio.denominator),
                points=indicator.points,
                threshold=indicator.threshold,
            )
            measured.append(IndicatorScore(indicator, ratio, earned))
        groups.append(GroupScore(group, tuple(measured), tuple(unmeasured)))
    return Index766(tuple(groups), config.bands)


def rounded(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """For display: ``places`` decimals, half-up (19.935 -> 19.94), exactly."""
    scaled = Fraction(value) * 10**places
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(-whole if scaled < 0 else whole).scaleb(-places)


def rating_for(value: Fraction | Decimal | int, bands: Bands = DEFAULT_CONFIG.bands) -> Rating:
    """The band of a score out of 100 (§5.2), read from the score as published (2 decimals,
    half-up), so a unit shown with 90,00 is excellent and one shown with 89,99 is not."""
    shown = Fraction(rounded(value))
    if shown >= EXCELLENT_FROM:
        return Rating.EXCELLENT
    if shown >= bands.good:
        return Rating.GOOD
    if shown >= bands.fair:
        return Rating.FAIR
    if shown >= bands.average:
        return Rating.AVERAGE
    return Rating.WEAK


def inputs_from_figures(
    totals: Mapping[Bucket, int] | Mapping[str, int],
    coverage: Mapping[str, tuple[int, int]],
    *,
    processing_seconds: tuple[int, int] | None = None,
) -> Inputs:
    """The sub-indicators a report's figures measure (a missing figure counts as 0).

    ``totals``: the report's figures by :class:`~motcua.core.metrics.Bucket`; ``coverage``:
    per level, (procedures offered online, procedures in force); ``processing_seconds``:
    (statutory seconds, actual seconds) summed over the finished dossiers, for 2.2.

    - 2.1 = (resolved early + on time + pending within time) / (resolved + pending): the
      complement of the Gia Lai late rate (§4.1); a dossier with more than one supplement
      request is already late in the figures (§5.3 2.1 [S]).
    - 2.2 = statutory / actual processing time, threshold 1: a unit as fast as the law allows
      or faster earns everything (NOT CONFIRMED: §5.3 gives no formula).
    - 3.1 = offered online / in force, summed over the levels (threshold 0.8).
    - 3.3 = received online / received (threshold 0.5). §5.3 divides by the dossiers of
      procedures offered online; the figures count every dossier, which can only lower it.
    - 3.6 = paid online / received with a financial obligation.
    - 4.2 = digitised (components and result) / received (threshold 0.8).
    - 4.3 = received with a paper reused from the applicant's store / received while the
      store held a paper the dossier needed (threshold 0.8 [S]); unmeasured without any.
    - 5.4 = 1 − (late rate + not-satisfied rate), never below 0 (threshold 0.9), where the
      late rate is (resolved late + pending overdue) / (resolved + pending) and the
      not-satisfied rate (rated − satisfied) / rated. When nothing was rated the late rate
      alone counts; when nothing was resolved or pending, the not-satisfied rate alone.
      Its ratio is the exact share in lowest terms, not two counts.
    """

    def get(bucket: Bucket) -> int:
        return totals.get(bucket, 0)

    resolved, pending = get(Bucket.RESOLVED), get(Bucket.PENDING)
    handled = resolved + pending
    in_time = get(Bucket.RESOLVED_EARLY) + get(Bucket.RESOLVED_ON_TIME)
    in_time += get(Bucket.PENDING_WITHIN_TIME)
    late = get(Bucket.RESOLVED_LATE) + get(Bucket.PENDING_OVERDUE)
    offered = sum(online for online, _ in coverage.values())
    in_force = sum(total for _, total in coverage.values())
    # 3.3, 3.6 and 4.2 are the rates of the same names (core.rates: one definition).
    online = rates.ONLINE_SUBMISSION.counts(totals)
    paid = rates.PAID_ONLINE.counts(totals)
    digitised = rates.DIGITISED.counts(totals)
    reused = rates.REUSED.counts(totals)
    for part, whole, what in (
        (in_time, handled, "resolved early or on time + pending within time"),
        (late, handled, "resolved late + pending overdue"),
        (offered, in_force, "procedures offered online"),
        (*online, Bucket.RECEIVED_ONLINE),
        (*paid, Bucket.PAID_ONLINE),
        (*digitised, Bucket.DIGITISED),
        (*reused, Bucket.REUSED),
        (*rates.SATISFIED.counts(totals), Bucket.SATISFIED),
    ):
        if part > whole:
            raise ValueError(f"766 inputs: {what} ({part}) is more than its whole ({whole})")
    ratios = {
        "2.1": Ratio(in_time, handled),
        "3.1": Ratio(offered, in_force),
        "3.3": Ratio(*online),
        "3.6": Ratio(*paid),
        "4.2": Ratio(*digitised),
        "4.3": Ratio(*reused),
    }
    if processing_seconds is not None:
        statutory, actual = processing_seconds
        ratios["2.2"] = Ratio(statutory, actual)
    parts = satisfaction_parts(totals)
    if parts is not None:
        late_rate, not_satisfied = parts
        ratios["5.4"] = Ratio.of(max(Fraction(0), 1 - late_rate - not_satisfied))
    return Inputs(ratios)


def satisfaction_parts(
    totals: Mapping[Bucket, int] | Mapping[str, int],
) -> tuple[Fraction, Fraction] | None:
    """What indicator 5.4 deducts from 100%: (late rate, not-satisfied rate), as
    :func:`inputs_from_figures` defines them; None when nothing was handled or rated.

    This is why 5.4 and the plain satisfaction rate (satisfied / rated) differ: 5.4 also
    deducts the dossiers resolved late or overdue (§5.3 5.4 [S]), so a unit whose every
    rating was satisfied still loses its late rate.
    """

    def get(bucket: Bucket) -> int:
        return totals.get(bucket, 0)

    handled = get(Bucket.RESOLVED) + get(Bucket.PENDING)
    late = get(Bucket.RESOLVED_LATE) + get(Bucket.PENDING_OVERDUE)
    satisfied, rated = rates.SATISFIED.counts(totals)
    if not (handled or rated):
        return None
    late_rate = Fraction(late, handled) if handled else Fraction(0)
    not_satisfied = Fraction(rated - satisfied, rated) if rated else Fraction(0)
    return late_rate, not_satisfied


def index_data(index: Index766) -> dict[str, Any]:
    """Plain JSON-able data; points and percentages rounded for display (2 decimals)."""

    def number(value: Fraction | None) -> float | None:
        return None if value is None else float(rounded(value))

    return {
        "total": number(index.total),
        "reachable": index.reachable,
        "out_of_100": number(index.out_of_100),
        "rating": None if index.rating is None else str(index.rating),
        "rating_vi": None if index.rating is None else RATING_NAMES_VI[index.rating],
        "complete": index.complete,
        "groups": [
            {
                "number": g.group.number,
                "name_vi": g.group.name_vi,
                "label": g.group.label,
                "max_points": g.group.max_points,
                "score": number(g.score),
                "earned": number(g.earned),
                "measured_max": number(g.measured_max),
                "unmeasured": list(g.unmeasured),
                "indicators": [
                    {
                        "code": item.code,
                        "name_vi": item.indicator.name_vi,
                        "label": item.indicator.label,
                        "numerator": item.ratio.numerator,
                        "denominator": item.ratio.denominator,
                        "percent": number(item.value * 100),
                        "threshold_percent": number(item.indicator.threshold * 100),
                        "points": number(item.earned),
                        "max_points": number(item.max_points),
                    }
                    for item in g.measured
                ],
            }
            for g in index.groups
        ],
    }
