"""Writes for the steering committee: indicator definitions, values (entered or imported, with
their corrections), targets, snapshots of the computed indicators, and Project 06 working
groups.

A value is never updated: a correction is a new row superseding the current one, so the
committee can see what it was shown before. An import is all or nothing: every row is checked
before anything is written, and a bad row stops the whole file with every problem named by
line and column (ARCHITECTURE.md invariant 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.lib.formatting import format_date, format_number, nfc
from motcua.lib.parsing import parse_cell_date
from motcua.lib.tablefile import (
    FileFormatError,
    RowError,
    capped_errors,
    clean_text,
    too_many_errors,
)
from motcua.reports.selectors import report_for
from motcua.steering.choices import INDICATOR_LEVELS, GroupLevel, IndicatorKind, MemberRole
from motcua.steering.definitions import DEFINITIONS
from motcua.steering.errors import (
    ImportRefused,
    InvalidInput,
    NotEnterable,
    ValueConflict,
)
from motcua.steering.fileformat import FIELD_COLUMNS, parse_count, read_rows
from motcua.steering.models import (
    IndicatorDefinition,
    IndicatorSnapshot,
    IndicatorTarget,
    IndicatorValue,
    WorkingGroup,
    WorkingGroupMember,
)
from motcua.steering.selectors import applies_to, computed_fraction, computed_period
from motcua.steering.validators import phone_digits, phone_normalise
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import UnitNotFound, province_of, unit_lineage, valid_on

# -- definitions ----------------------------------------------------------------------------


def indicator_definitions_load() -> int:
    """Create or update the shipped indicator definitions (``definitions.DEFINITIONS``) by
    code; returns how many were created or changed (0 when all are as shipped)."""
    changed = 0
    with transaction.atomic():
        for data in DEFINITIONS:
            definition = IndicatorDefinition.objects.filter(code=data["code"]).first()
            if definition is not None and all(
                getattr(definition, key) == value for key, value in data.items()
            ):
                continue
            definition = definition or IndicatorDefinition()
            for key, value in data.items():
                setattr(definition, key, value)
            definition.full_clean()
            definition.save()
            changed += 1
    return changed


# -- values ---------------------------------------------------------------------------------


def _level_label(level: str) -> str:
    return str(UnitLevel(level).label).lower()


def not_enterable_message(definition: IndicatorDefinition) -> str:
    """Why a computed indicator cannot be typed in."""
    return _(
        "“%(name)s” is computed by the system from the dossiers and the catalogue: "
        "it cannot be entered"
    ) % {"name": definition.name}


@dataclass(frozen=True)
class ValueFacts:
    """What a value says: the indicator, the unit, the period, the figures and the note."""

    definition: IndicatorDefinition
    unit: AdministrativeUnit
    period_start: date | None
    period_end: date
    numerator: int
    denominator: int | None
    note: str = ""


def value_problems(facts: ValueFacts, *, today: date) -> list[tuple[str, str]]:
    """Every reason a value cannot be recorded, as (field, message); empty when it can."""
    definition, unit = facts.definition, facts.unit
    period_start, period_end = facts.period_start, facts.period_end
    numerator, denominator = facts.numerator, facts.denominator
    problems: list[tuple[str, str]] = []
    name = {"name": definition.name}
    if definition.is_computed:
        return [("definition", not_enterable_message(definition))]
    if not applies_to(definition, unit):
        problems.append(
            (
                "unit",
                _("“%(name)s” is recorded for units at %(level)s and above, not for %(unit)s")
                % {**name, "level": _level_label(definition.level), "unit": unit.name},
            )
        )
    elif not unit.is_valid_on(period_end):
        problems.append(
            (
                "unit",
                _("%(unit)s did not exist on %(date)s")
                % {"unit": unit.name, "date": format_date(period_end)},
            )
        )
    if period_end > today:
        problems.append(
            (
                "period_end",
                _("%(date)s is in the future: record values for periods that have ended")
                % {"date": format_date(period_end)},
            )
        )
    if period_start is not None and period_start > period_end:
        problems.append(
            (
                "period_start",
                _("the period starts on %(start)s, after it ends on %(end)s")
                % {"start": format_date(period_start), "end": format_date(period_end)},
            )
        )
    if numerator < 0:
        problems.append(("numerator", _("the numerator cannot be negative")))
    if definition.is_rate:
        if denominator is None:
            problems.append(
                (
                    "denominator",
                    _("“%(name)s” is a rate: give the denominator (%(label)s)")
                    % {**name, "label": definition.denominator_label},
                )
            )
        elif denominator <= 0:
            problems.append(("denominator", _("the denominator must be greater than 0")))
        elif numerator > denominator:
            problems.append(
                (
                    "numerator",
                    _(
                        "the numerator (%(numerator)s) is larger than the denominator "
                        "(%(denominator)s): %(label)s cannot exceed %(total)s"
                    )
                    % {
                        "numerator": format_number(numerator),
                        "denominator": format_number(denominator),
                        "label": definition.numerator_label,
                        "total": definition.denominator_label,
                    },
                )
            )
    elif denominator is not None:
        problems.append(
            ("denominator", _("“%(name)s” is a count: leave the denominator empty") % name)
        )
    return problems


def _refuse(problems: list[tuple[str, str]], definition: IndicatorDefinition) -> None:
    field, message = problems[0]
    error_class = NotEnterable if definition.is_computed else InvalidInput
    raise error_class(message, field=field, problems=problems)


def _record(
    facts: ValueFacts,
    *,
    entered_by: User | None,
    source_file: str,
    entered_at: datetime,
) -> tuple[IndicatorValue, bool]:
    """Append the value (or its correction); (row, True), or (current row, False) when the
    current value already says the same. The caller has checked it and holds a transaction."""
    # Lock the chain's rows (no join: PostgreSQL refuses FOR UPDATE on an outer join's
    # nullable side). A second writer waits here, then finds the head already superseded:
    # the one-to-one ``supersedes`` refuses a fork and it gets ValueConflict.
    chain = list(
        IndicatorValue.objects.select_for_update().filter(
            definition=facts.definition, unit=facts.unit, period_end=facts.period_end
        )
    )
    superseded = {row.supersedes_id for row in chain}
    head = next((row for row in chain if row.pk not in superseded), None)
    if head is not None and (
        head.numerator,
        head.denominator,
        head.period_start,
        head.note,
    ) == (facts.numerator, facts.denominator, facts.period_start, facts.note):
        return head, False
    value = IndicatorValue(
        definition=facts.definition,
        unit=facts.unit,
        period_start=facts.period_start,
        period_end=facts.period_end,
        numerator=facts.numerator,
        denominator=facts.denominator,
        entered_by=entered_by,
        entered_by_name=(entered_by.get_full_name() or entered_by.username) if entered_by else "",
        entered_at=entered_at,
        note=facts.note,
        source_file=source_file,
        supersedes=head,
    )
    value.full_clean(exclude=["definition", "unit", "entered_by", "supersedes"])
    try:
        with transaction.atomic():
            value.save()
    except IntegrityError:
        raise ValueConflict(
            _(
                "someone recorded a value for this indicator, unit and period at the same "
                "moment: reload the page and check it"
            ),
            field="period_end",
        ) from None
    return value, True


def indicator_value_record(
    *,
    definition: IndicatorDefinition,
    unit: AdministrativeUnit,
    period_end: date,
    numerator: int,
    denominator: int | None = None,
    period_start: date | None = None,
    entered_by: User | None = None,
    note: str = "",
    source_file: str = "",
    entered_at: datetime | None = None,
    today: date | None = None,
) -> IndicatorValue:
    """Record the value of an entered indicator for ``unit`` as of ``period_end``.

    A second value for the same indicator, unit and period end is a correction: a new row
    superseding the current one (the old one stays, as history). Recording what is already
    current changes nothing and returns the current row. Refuses, naming the field, a computed
    indicator (``NotEnterable``), a unit the indicator is not recorded for, a period ending
    after ``today`` (default: the local date), a rate without a denominator or with a
    numerator above it, a count with a denominator (``InvalidInput``); a simultaneous
    correction raises ``ValueConflict``. Nothing is written then.
    """
    today = today or timezone.localdate()
    note = nfc(note.strip())
    facts = ValueFacts(
        definition=definition,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        numerator=numerator,
        denominator=denominator,
        note=note,
    )
    problems = value_problems(facts, today=today)
    if problems:
        _refuse(problems, definition)
    with transaction.atomic():
        value, _created = _record(
            facts,
            entered_by=entered_by,
            source_file=source_file,
            entered_at=entered_at or timezone.now(),
        )
    return value


@dataclass
class ImportReport:
    """What an import did: rows read, values recorded (of which corrections), unchanged."""

    rows: int = 0
    recorded: int = 0
    corrected: int = 0
    unchanged: int = 0


def _row_unit(
    text: str, period_end: date | None, lineage: dict[str, list[AdministrativeUnit]]
) -> AdministrativeUnit | None:
    """The unit of the lineage carrying the code on ``period_end``; Excel drops leading zeros
    (058 becomes 58), so a code of digits is also tried padded to 3 and 5 digits."""
    candidates = [text]
    if text.isdigit():
        candidates += [text.zfill(2), text.zfill(3), text.zfill(5)]
    for code in candidates:
        versions = lineage.get(code, [])
        if not versions:
            continue
        if period_end is not None:
            for unit in versions:
                if unit.is_valid_on(period_end):
                    return unit
        return versions[-1]
    return None


def _cell(
    line: int,
    cells: dict[str, str],
    column: str,
    parse: Any,
    required: bool,
    errors: list[RowError],
) -> Any:
    """The parsed cell, or None with its problem appended to ``errors``."""
    text = cells.get(column, "")
    if text == "":
        if required:
            errors.append(RowError(line, column, _("the cell is empty: a value is required")))
        return None
    try:
        return parse(text)
    except ValueError as exc:
        errors.append(RowError(line, column, str(exc)))
        return None


@dataclass
class _ValuesFile:
    """What checking a file of values needs: the importing unit and its lineage, the known
    indicators, and the first line of each (indicator, unit, period end) seen so far."""

    unit: AdministrativeUnit
    today: date
    definitions: dict[str, IndicatorDefinition]
    enterable: str
    lineage: dict[str, list[AdministrativeUnit]]
    first_line: dict[tuple[int, int, date], int]

    @classmethod
    def for_unit(cls, unit: AdministrativeUnit, today: date) -> _ValuesFile:
        definitions = {d.code.casefold(): d for d in IndicatorDefinition.objects.all()}
        lineage: dict[str, list[AdministrativeUnit]] = {}
        for member in unit_lineage(unit).order_by(F("valid_from").asc(nulls_first=True)):
            lineage.setdefault(member.code, []).append(member)
        return cls(
            unit=unit,
            today=today,
            definitions=definitions,
            enterable=", ".join(d.code for d in definitions.values() if not d.is_computed),
            lineage=lineage,
            first_line={},
        )


def indicator_values_import(
    *,
    data: bytes,
    name: str,
    unit: AdministrativeUnit,
    entered_by: User | None,
    today: date | None = None,
) -> ImportReport:
    """Import indicator values from a .csv or .xlsx file (columns in docs/steering.md) for
    ``unit`` and the units below it, all or nothing.

    Each row is recorded as by :func:`indicator_value_record` (a changed value is a
    correction, an equal one changes nothing), with the file's name as its source. Raises
    ``ImportRefused`` naming every bad row and column ("dòng 3, cột tu_so: …"); then nothing is
    written.
    """
    try:
        raw_rows = read_rows(data, name)
    except FileFormatError as exc:
        raise ImportRefused(exc.errors) from None
    context = _ValuesFile.for_unit(unit, today or timezone.localdate())
    errors: list[RowError] = []
    checked: list[ValueFacts] = []
    for line, cells in raw_rows:
        row_errors, facts = _value_row(context, line, cells)
        errors.extend(row_errors)
        if too_many_errors(errors):
            break  # the first MAX_ERRORS problems are reported (settings.MOTCUA_IMPORT)
        if facts is not None:
            checked.append(facts)
    if not raw_rows:
        errors.append(RowError(None, None, _("the file has no rows of values")))
    if errors:
        errors.sort(key=lambda e: (e.line or 0, e.column or ""))
        raise ImportRefused(capped_errors(errors))
    return _values_record(checked, rows=len(raw_rows), name=name, entered_by=entered_by)


def _value_row(
    context: _ValuesFile, line: int, cells: dict[str, str]
) -> tuple[list[RowError], ValueFacts | None]:
    """One row's errors, or its facts ready for :func:`_record`."""
    errors: list[RowError] = []
    code = cells.get("ma_chi_tieu", "")
    definition = _row_definition(context, line, code, errors)
    period_end = _cell(line, cells, "den_ngay", parse_cell_date, True, errors)
    period_start = _cell(line, cells, "tu_ngay", parse_cell_date, False, errors)
    numerator = _cell(line, cells, "tu_so", parse_count, True, errors)
    denominator = _cell(line, cells, "mau_so", parse_count, False, errors)
    unit_code = cells.get("ma_don_vi", "")
    row_unit = _row_unit_checked(context, line, unit_code, period_end, errors)
    if errors or definition is None or row_unit is None or period_end is None:
        return errors, None
    facts = ValueFacts(
        definition=definition,
        unit=row_unit,
        period_start=period_start,
        period_end=period_end,
        numerator=numerator,
        denominator=denominator,
        note=nfc(cells.get("ghi_chu", "")),
    )
    for field, message in value_problems(facts, today=context.today):
        column = FIELD_COLUMNS[field]
        if field == "unit" and not unit_code:
            column = "ma_chi_tieu"  # the unit came from the import, not the row
        errors.append(RowError(line, column, message))
    if not errors:
        _check_first(context, line, code, definition, row_unit, period_end, errors)
    if errors:
        return errors, None
    return errors, facts


def _row_definition(
    context: _ValuesFile, line: int, code: str, errors: list[RowError]
) -> IndicatorDefinition | None:
    """The indicator the row's code names (any case), or an error in ``ma_chi_tieu``."""
    definition = context.definitions.get(code.casefold())
    if not code:
        errors.append(RowError(line, "ma_chi_tieu", _("the cell is empty: a value is required")))
    elif definition is None:
        message = _("no indicator has the code “%(code)s” (known codes: %(codes)s)") % {
            "code": code,
            "codes": context.enterable,
        }
        errors.append(RowError(line, "ma_chi_tieu", message))
    return definition


def _row_unit_checked(
    context: _ValuesFile,
    line: int,
    unit_code: str,
    period_end: date | None,
    errors: list[RowError],
) -> AdministrativeUnit | None:
    """The row's unit: the importing unit when ``ma_don_vi`` is empty, else one within it."""
    if not unit_code:
        return context.unit
    row_unit = _row_unit(unit_code, period_end, context.lineage)
    if row_unit is None:
        message = _("“%(code)s” is not %(unit)s (%(own)s) or a unit within it") % {
            "code": unit_code,
            "unit": context.unit.name,
            "own": context.unit.code,
        }
        errors.append(RowError(line, "ma_don_vi", message))
    return row_unit


def _check_first(
    context: _ValuesFile,
    line: int,
    code: str,
    definition: IndicatorDefinition,
    row_unit: AdministrativeUnit,
    period_end: date,
    errors: list[RowError],
) -> None:
    """A file gives each indicator one value per unit and period end: a repeat is an error
    naming the line that gave it first."""
    key = (definition.pk, row_unit.pk, period_end)
    if key not in context.first_line:
        context.first_line[key] = line
        return
    message = _("“%(code)s” for %(unit)s, period ending %(date)s, is already on line %(first)s") % {
        "code": code,
        "unit": row_unit.name,
        "date": format_date(period_end),
        "first": context.first_line[key],
    }
    errors.append(RowError(line, "ma_chi_tieu", message))


def _values_record(
    checked: list[ValueFacts], *, rows: int, name: str, entered_by: User | None
) -> ImportReport:
    """Record the checked rows in one transaction, the file's name as their source."""
    report = ImportReport(rows=rows)
    source = clean_text(name.replace("\\", "/").rsplit("/", 1)[-1])[:255]
    now = timezone.now()
    with transaction.atomic():
        for facts in checked:
            value, created = _record(
                facts, entered_by=entered_by, source_file=source, entered_at=now
            )
            if not created:
                report.unchanged += 1
                continue
            report.recorded += 1
            if value.supersedes_id is not None:
                report.corrected += 1
    return report


# -- targets --------------------------------------------------------------------------------


def indicator_target_set(
    *,
    definition: IndicatorDefinition,
    unit: AdministrativeUnit,
    year: int,
    value: Decimal | int | str,
    assigned_by: AdministrativeUnit | None = None,
    legal_ref: str = "",
    set_by: User | None = None,
) -> IndicatorTarget:
    """Set the target the province gives ``unit`` for ``year`` (tỉnh giao): a percentage for
    a rate (digitisation 100%), a number for a count. Setting it again replaces it.
    ``assigned_by`` defaults to the unit's province. Refuses, naming the field, a target out
    of range, a year that makes no sense, or a unit the indicator is not recorded for.
    """
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(
            _("“%(value)s” is not a number") % {"value": value}, field="value"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(_("a target cannot be negative"), field="value")
    if definition.is_rate and amount > 100:
        raise InvalidInput(_("a rate's target is a percentage, 0 to 100"), field="value")
    if not definition.is_rate and amount != amount.to_integral_value():
        raise InvalidInput(_("a count's target is a whole number"), field="value")
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("%(year)s is not a year") % {"year": year}, field="year")
    if not applies_to(definition, unit):
        raise InvalidInput(
            _("“%(name)s” is recorded for units at %(level)s and above, not for %(unit)s")
            % {
                "name": definition.name,
                "level": _level_label(definition.level),
                "unit": unit.name,
            },
            field="unit",
        )
    if assigned_by is None and unit.level != UnitLevel.PROVINCE:
        try:
            assigned_by = province_of(unit)
        except UnitNotFound:
            assigned_by = None
    with transaction.atomic():
        target = (
            IndicatorTarget.objects.select_for_update()
            .filter(definition=definition, unit=unit, year=year)
            .first()
        ) or IndicatorTarget(definition=definition, unit=unit, year=year)
        target.value = amount.quantize(Decimal("0.01"))
        target.assigned_by = assigned_by
        target.legal_ref = nfc(legal_ref.strip())
        target.set_by = set_by
        target.set_at = timezone.now()
        target.full_clean(exclude=["definition", "unit", "assigned_by", "set_by"])
        target.save()
    return target


# -- snapshots of the computed indicators ---------------------------------------------------


def indicator_snapshots_take(*, on: date) -> int:
    """Store, once, the value of every computed indicator for every unit it applies to (valid
    on ``on``; province, district and commune levels) for the period ending ``on`` (from the
    first of January, ``selectors.computed_period``); returns the rows written.

    Idempotent: a second call, or a second worker at the same time, writes 0, since the
    unique (indicator, unit, period end) constraint refuses the same snapshot twice and each
    row is inserted in its own savepoint. A period ending after today is refused (its figures
    are not final).
    """
    if on > timezone.localdate():
        raise InvalidInput(
            _("%(date)s is in the future: snapshots are taken of periods that have ended")
            % {"date": format_date(on)},
            field="on",
        )
    definitions = list(IndicatorDefinition.objects.filter(kind=IndicatorKind.COMPUTED))
    if not definitions:
        return 0
    taken = set(
        IndicatorSnapshot.objects.filter(period_end=on).values_list("definition_id", "unit_id")
    )
    units = AdministrativeUnit.objects.filter(valid_on(on), level__in=INDICATOR_LEVELS)
    period = computed_period(on)
    written = 0
    for unit in units.order_by("code"):
        wanted = [d for d in definitions if applies_to(d, unit) and (d.pk, unit.pk) not in taken]
        if not wanted:
            continue
        report = report_for(unit, period)
        now = timezone.now()
        for definition in wanted:
            numerator, denominator = computed_fraction(report, definition.computed_from)
            try:
                with transaction.atomic():
                    IndicatorSnapshot.objects.create(
                        definition=definition,
                        unit=unit,
                        period_start=period.start,
                        period_end=period.end,
                        numerator=numerator,
                        denominator=denominator,
                        taken_at=now,
                    )
            except IntegrityError:
                continue  # another worker took this one first
            written += 1
    return written


# -- Project 06 working groups --------------------------------------------------------------


def working_group_create(
    *,
    unit: AdministrativeUnit,
    name: str,
    decision_ref: str = "",
    established_on: date | None = None,
) -> WorkingGroup:
    """Create a Project 06 working group of ``unit`` (a city or district, a commune or ward,
    a village or residential group). Refuses, naming the field, another unit level, an empty
    name or a name the unit already uses."""
    name = nfc(clean_text(name))
    if unit.level not in GroupLevel.values:
        raise InvalidInput(
            _("working groups belong to a city, a commune or ward, or a village, not to %(unit)s")
            % {"unit": unit.name},
            field="unit",
        )
    if not name:
        raise InvalidInput(_("the name is required"), field="name")
    if WorkingGroup.objects.filter(unit=unit, name=name).exists():
        raise InvalidInput(
            _("%(unit)s already has a working group named “%(name)s”")
            % {"unit": unit.name, "name": name},
            field="name",
        )
    group = WorkingGroup(
        unit=unit,
        name=name,
        decision_ref=nfc(decision_ref.strip()),
        established_on=established_on,
    )
    group.full_clean(exclude=["unit", "level"])
    with transaction.atomic():
        group.save()
    return group


def working_group_member_add(
    *,
    group: WorkingGroup,
    name: str,
    position: str = "",
    phone: str = "",
    role: MemberRole = MemberRole.MEMBER,
) -> WorkingGroupMember:
    """Add a member to ``group``, after the others. The phone is checked softly (spaces,
    dots and +84 accepted, see ``validators``) and stored as 0912 345 678. Refuses, naming the
    field, an empty name or what cannot be a phone number."""
    name = nfc(clean_text(name))
    if not name:
        raise InvalidInput(_("the name is required"), field="name")
    member = WorkingGroupMember(
        group=group,
        name=name,
        position=nfc(clean_text(position)),
        role=role,
        phone=phone.strip(),
    )
    try:
        member.full_clean(exclude=["group", "order"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], field=field) from None
    if phone_digits(member.phone):
        member.phone = phone_normalise(member.phone)
    with transaction.atomic():
        member.order = group.members.count() + 1
        member.save()
    return member
