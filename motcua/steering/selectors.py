"""Reads for the steering committee: the indicator table of a unit, the facts the briefing
needs, and the Project 06 working groups counted by level.

Entered indicators read their newest value (corrections included) as of a day; computed ones
read the dossiers and the catalogue live through ``reports.selectors.report_for`` (one
definition per figure, ARCHITECTURE.md invariant 3), so they are never typed in and never
stale. Snapshots of computed ones are their history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext as _

from motcua.core import rates
from motcua.core.metrics import Period
from motcua.lib.formatting import format_count, format_number, format_percent, percent
from motcua.reports.briefing import IndicatorFact, SteeringFacts, WorkingGroupCount
from motcua.reports.selectors import Report, report_for
from motcua.steering import definitions as codes
from motcua.steering import models
from motcua.steering.choices import ComputedSource, GroupLevel
from motcua.units.choices import LEVEL_RANK
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import UnitNotFound, unit_at, unit_lineage, unit_versions

# How many past values (corrections included) the table shows per indicator.
HISTORY_LIMIT = 12


# -- units and definitions ------------------------------------------------------------------


def unit_by_code(code: str, on: date) -> AdministrativeUnit:
    """The unit that carried ``code`` on ``on``, else the last one that carried it before then
    (Thành phố Bắc Kạn after 30/06/2025 still has its indicators and groups to show). Raises
    ``UnitNotFound``."""
    try:
        return unit_at(code, on)
    except UnitNotFound as error:
        earlier = [u for u in unit_versions(code) if u.valid_from is None or u.valid_from <= on]
        if not earlier:
            raise error from None
        return earlier[-1]


def applies_to(definition: models.IndicatorDefinition, unit: AdministrativeUnit) -> bool:
    """Whether ``definition`` is recorded for ``unit``: its level or a higher one."""
    return definition.applies_to_unit(unit)


def definitions_for(unit: AdministrativeUnit) -> list[models.IndicatorDefinition]:
    """The indicators recorded for ``unit``, in the committee's order."""
    return [d for d in models.IndicatorDefinition.objects.all() if applies_to(d, unit)]


def computed_period(on: date, start: date | None = None) -> Period:
    """The period a computed indicator covers as of ``on``: from ``start``, by default the
    first of January, as the committee counts ("từ đầu năm 2024 đến nay", seed)."""
    return Period(start or date(on.year, 1, 1), on)


def computed_fraction(report: Report, source: str) -> tuple[int, int]:
    """(numerator, denominator) of a computed indicator in a report (§5.3, §6)."""
    match ComputedSource(source):
        case ComputedSource.ONLINE_SERVICES_DISTRICT:
            return report.coverage["district"]
        case ComputedSource.ONLINE_SERVICES_COMMUNE:
            return report.coverage["commune"]
        case ComputedSource.ONLINE_PAYMENT:
            return rates.PAID_ONLINE.counts(report.totals)
        case ComputedSource.DIGITISATION:
            return rates.DIGITISED.counts(report.totals)
        case ComputedSource.E_CERTIFICATION:
            return rates.E_CERTIFIED.counts(report.totals)
    raise ValueError(source)  # pragma: no cover - the match is exhaustive


# -- presentation of a value ----------------------------------------------------------------


def value_rate(numerator: int, denominator: int | None) -> Fraction | None:
    return None if denominator is None else percent(numerator, denominator)


def value_text(
    definition: models.IndicatorDefinition, numerator: int, denominator: int | None
) -> str:
    """'25.328' for a count; '1.459/24.007 = 6,08%' for a rate, in the definition's decimals."""
    if not definition.is_rate or denominator is None:
        return format_number(numerator)
    share = format_percent(percent(numerator, denominator), definition.decimals)
    return f"{format_number(numerator)}/{format_number(denominator)} = {share}"


def target_text(definition: models.IndicatorDefinition, target: models.IndicatorTarget) -> str:
    """'100%' for a rate's target, '30.000' for a count's."""
    if definition.is_rate:
        return format_percent(target.value, definition.decimals)
    return format_number(target.value)


def target_met(
    definition: models.IndicatorDefinition,
    target: models.IndicatorTarget | None,
    numerator: int | None,
    denominator: int | None,
) -> bool | None:
    """Whether the value reaches the target; None without a target or a value."""
    if target is None or numerator is None:
        return None
    goal = Fraction(Decimal(target.value))
    if definition.is_rate:
        rate = value_rate(numerator, denominator)
        return None if rate is None else rate >= goal
    return numerator >= goal


@dataclass(frozen=True)
class HistoryEntry:
    """One past value: an entered one (``superseded`` when a correction replaced it) or a
    snapshot of a computed one."""

    period_start: date | None
    period_end: date
    numerator: int
    denominator: int | None
    text: str
    recorded_at: datetime
    recorded_by: str
    note: str
    source_file: str
    superseded: bool


@dataclass(frozen=True)
class IndicatorRow:
    """One line of a unit's indicator table as of a day."""

    definition: models.IndicatorDefinition
    numerator: int | None  # None: no value recorded yet
    denominator: int | None
    period_start: date | None
    as_of: date | None
    value: models.IndicatorValue | None  # the current value row (entered indicators)
    rate: Fraction | None
    text: str
    target: models.IndicatorTarget | None
    target_text: str
    met: bool | None
    history: tuple[HistoryEntry, ...]

    @property
    def percent_text(self) -> str | None:
        if not self.definition.is_rate or self.numerator is None:
            return None
        return format_percent(self.rate, self.definition.decimals)


def _history_entry(
    definition: models.IndicatorDefinition,
    row: models.IndicatorValue | models.IndicatorSnapshot,
    *,
    recorded_at: datetime,
    recorded_by: str = "",
    note: str = "",
    source_file: str = "",
    superseded: bool = False,
) -> HistoryEntry:
    """One line of an indicator's history: the row's period and figures, and how it came."""
    return HistoryEntry(
        period_start=row.period_start,
        period_end=row.period_end,
        numerator=row.numerator,
        denominator=row.denominator,
        text=value_text(definition, row.numerator, row.denominator),
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        note=note,
        source_file=source_file,
        superseded=superseded,
    )


def _value_history(
    definition: models.IndicatorDefinition, rows: list[models.IndicatorValue]
) -> list[HistoryEntry]:
    superseded = {row.supersedes_id for row in rows if row.supersedes_id is not None}
    return [
        _history_entry(
            definition,
            row,
            recorded_at=row.entered_at,
            recorded_by=row.entered_by_name,
            note=row.note,
            source_file=row.source_file,
            superseded=row.pk in superseded,
        )
        for row in rows
    ]


def _snapshot_history(
    definition: models.IndicatorDefinition, rows: list[models.IndicatorSnapshot]
) -> list[HistoryEntry]:
    return [_history_entry(definition, row, recorded_at=row.taken_at) for row in rows]


def indicator_table(
    unit: AdministrativeUnit,
    on: date,
    *,
    start: date | None = None,
    history_limit: int = HISTORY_LIMIT,
) -> list[IndicatorRow]:
    """Every indicator recorded for ``unit``: its value as of ``on`` (the newest period ending
    by then, corrections applied), the rate, the province's target for ``on``'s year and
    whether it is met, and the past values, newest first.

    Computed indicators are read live from ``report_for(unit, computed_period(on, start))``.
    A fixed number of queries, whatever the number of indicators and values.
    """
    definitions = definitions_for(unit)
    values: dict[int, list[models.IndicatorValue]] = defaultdict(list)
    for row in (
        models.IndicatorValue.objects.filter(unit=unit, period_end__lte=on)
        .select_related("definition")
        .order_by("-period_end", "-entered_at", "-id")
    ):
        values[row.definition_id].append(row)
    snapshots: dict[int, list[models.IndicatorSnapshot]] = defaultdict(list)
    for snapshot in models.IndicatorSnapshot.objects.filter(unit=unit, period_end__lte=on).order_by(
        "-period_end"
    ):
        snapshots[snapshot.definition_id].append(snapshot)
    targets = {
        t.definition_id: t
        for t in models.IndicatorTarget.objects.filter(unit=unit, year=on.year).select_related(
            "assigned_by"
        )
    }
    report = (
        report_for(unit, computed_period(on, start))
        if any(d.is_computed for d in definitions)
        else None
    )

    rows = []
    for definition in definitions:
        target = targets.get(definition.pk)
        current: models.IndicatorValue | None = None
        if definition.is_computed:
            assert report is not None
            numerator, denominator = computed_fraction(report, definition.computed_from)
            num: int | None = numerator
            den: int | None = denominator
            period_start: date | None = report.period.start
            as_of: date | None = on
            history = _snapshot_history(definition, snapshots[definition.pk][:history_limit])
        else:
            chain = values[definition.pk]
            superseded = {row.supersedes_id for row in chain}
            current = next((row for row in chain if row.pk not in superseded), None)
            num = current.numerator if current else None
            den = current.denominator if current else None
            period_start = current.period_start if current else None
            as_of = current.period_end if current else None
            history = _value_history(definition, chain)[:history_limit]
        rows.append(
            IndicatorRow(
                definition=definition,
                numerator=num,
                denominator=den,
                period_start=period_start,
                as_of=as_of,
                value=current,
                rate=value_rate(num, den) if num is not None and definition.is_rate else None,
                text="–" if num is None else value_text(definition, num, den),
                target=target,
                target_text=target_text(definition, target) if target else "",
                met=target_met(definition, target, num, den),
                history=tuple(history),
            )
        )
    return rows


def indicator_value_history(
    definition: models.IndicatorDefinition, unit: AdministrativeUnit, period_end: date
) -> QuerySet[models.IndicatorValue]:
    """Every value recorded for one indicator, unit and period end, oldest first: the first
    report and each correction of it."""
    return models.IndicatorValue.objects.filter(
        definition=definition, unit=unit, period_end=period_end
    ).order_by("entered_at", "id")


# -- Project 06 working groups --------------------------------------------------------------


@dataclass(frozen=True)
class LevelCount:
    """The working groups of one level under a unit, and their members."""

    level: GroupLevel
    groups: int
    members: int

    @property
    def label(self) -> str:
        return str(self.level.label)

    @property
    def text(self) -> str:
        """'117 groups / 702 members' in the active language."""
        return _("%(groups)s groups / %(members)s members") % {
            "groups": format_number(self.groups),
            "members": format_number(self.members),
        }


def working_group_counts(unit: AdministrativeUnit) -> list[LevelCount]:
    """Groups and members per level (city/district, commune/ward, village) in ``unit`` and
    everything below it and merged into it; every level is listed, empty ones with 0. One
    query."""
    counts: dict[str, tuple[int, int]] = {
        row["level"]: (row["n_groups"], row["n_members"])
        for row in models.WorkingGroup.objects.filter(unit__in=unit_lineage(unit))
        .values("level")
        .annotate(n_groups=Count("id", distinct=True), n_members=Count("members"))
    }
    return [LevelCount(level, *counts.get(level.value, (0, 0))) for level in GroupLevel]


def working_groups_of(unit: AdministrativeUnit) -> QuerySet[models.WorkingGroup]:
    """The working groups in ``unit``'s lineage with their members (two queries), city level
    first, then by unit code."""
    rank = Case(
        *(When(level=level.value, then=Value(LEVEL_RANK[level.value])) for level in GroupLevel),
        output_field=IntegerField(),
    )
    return (
        models.WorkingGroup.objects.filter(unit__in=unit_lineage(unit))
        .select_related("unit")
        .prefetch_related(
            Prefetch("members", models.WorkingGroupMember.objects.order_by("order", "id"))
        )
        .order_by(rank, "unit__code", "name")
    )


# -- the briefing ---------------------------------------------------------------------------


def _fact(row: IndicatorRow | None) -> dict[str, Any] | None:
    if row is None or row.numerator is None:
        return None
    return {
        "numerator": row.numerator,
        "denominator": row.denominator,
        "percent": row.rate,
        "numerator_text": format_number(row.numerator),
        "denominator_text": (
            format_number(row.denominator) if row.denominator is not None else None
        ),
        "percent_text": row.percent_text,
        "text": row.text,
        "as_of": row.as_of,
    }


def briefing_facts(unit: AdministrativeUnit, on: date) -> dict[str, Any]:
    """The numbers of the seed's digital-transformation and Project 06 paragraphs for ``unit``
    as of ``on``, for the briefing to word.

    Keys: ``eid_accounts``, ``digital_signature``, ``fibre_households``, ``mobile_coverage``,
    ``agency_fibre``, ``community_support`` (each None when no value is recorded, else a dict
    with ``numerator``, ``denominator`` (None for a count), ``percent`` (Fraction or None),
    the Vietnamese-formatted ``numerator_text``, ``denominator_text``, ``percent_text``
    ("6,08%") and ``text`` ("1.459/24.007 = 6,08%" or "25.328"), and ``as_of``);
    ``targets``: {indicator code: {"value": Decimal, "text": "100%", "met": bool | None}} for
    the targets of ``on``'s year; ``working_groups``: one dict per level (city/district,
    commune/ward, village) with ``level``, ``label``, ``groups``, ``members``,
    ``groups_text`` ("01", as the seed writes it) and ``members_text``.
    """
    rows = {row.definition.code: row for row in indicator_table(unit, on, history_limit=0)}
    facts: dict[str, Any] = {
        code: _fact(rows.get(code))
        for code in (
            codes.EID_ACCOUNTS,
            codes.DIGITAL_SIGNATURE,
            codes.FIBRE_HOUSEHOLDS,
            codes.MOBILE_COVERAGE,
            codes.AGENCY_FIBRE,
            codes.COMMUNITY_SUPPORT,
        )
    }
    facts["targets"] = {
        code: {"value": row.target.value, "text": row.target_text, "met": row.met}
        for code, row in rows.items()
        if row.target is not None
    }
    facts["working_groups"] = [
        {
            "level": count.level,
            "label": count.label,
            "groups": count.groups,
            "members": count.members,
            "groups_text": format_count(count.groups, 2),
            "members_text": format_count(count.members, 2),
        }
        for count in working_group_counts(unit)
    ]
    return facts


def _indicator_fact(fact: dict[str, Any] | None) -> IndicatorFact | None:
    if fact is None:
        return None
    return IndicatorFact(
        numerator_text=fact["numerator_text"],
        denominator_text=fact["denominator_text"],
        percent_text=fact["percent_text"],
    )


def briefing_steering_facts(unit: AdministrativeUnit, on: date) -> SteeringFacts:
    """:func:`briefing_facts` as the briefing (``reports.briefing``) takes them; the steering
    app makes this the briefing's source when Django starts (``steering.apps``)."""
    facts = briefing_facts(unit, on)

    def target(code: str) -> str | None:
        found = facts["targets"].get(code)
        return None if found is None else str(found["text"])

    return SteeringFacts(
        mobile_coverage=_indicator_fact(facts[codes.MOBILE_COVERAGE]),
        agency_fibre=_indicator_fact(facts[codes.AGENCY_FIBRE]),
        eid_accounts=_indicator_fact(facts[codes.EID_ACCOUNTS]),
        digital_signature=_indicator_fact(facts[codes.DIGITAL_SIGNATURE]),
        fibre_households=_indicator_fact(facts[codes.FIBRE_HOUSEHOLDS]),
        community_support=_indicator_fact(facts[codes.COMMUNITY_SUPPORT]),
        digitisation_target=target(codes.DIGITISATION),
        e_certification_target=target(codes.E_CERTIFICATION),
        working_groups=tuple(
            WorkingGroupCount(
                label=level["label"],
                groups=level["groups"],
                groups_text=level["groups_text"],
                members_text=level["members_text"],
            )
            for level in facts["working_groups"]
        ),
    )
