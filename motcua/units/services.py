"""Loading administrative units, successions and agencies from CSV files (domain spec §10).

A load reads every file, validates every row against the files and the database, and only then
writes, in one transaction: a bad file is refused whole with one message per bad row, naming the
file, the line and the column, and nothing is written (ARCHITECTURE.md invariant 7). Loading the
same files again updates rows in place and creates nothing twice.

The three file formats (told apart by their header) are described in docs/units.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.lib.formatting import format_date, nfc
from motcua.lib.parsing import parse_date
from motcua.lib.tablefile import FileFormatError, csv_records
from motcua.lib.textfiles import NotUtf8, decode_utf8
from motcua.units.choices import (
    LEVEL_OF_KIND,
    LEVEL_RANK,
    AgencyKind,
    SuccessionKind,
    UnitKind,
)
from motcua.units.models import AdministrativeUnit, Agency, Succession

DATA_DIR = Path(__file__).resolve().parent / "data"
BAC_KAN_FILES = [DATA_DIR / "units.csv", DATA_DIR / "successions.csv", DATA_DIR / "agencies.csv"]

CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


@dataclass(frozen=True)
class FileFormat:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


UNITS = FileFormat(
    "units",
    ("code", "name", "kind"),
    ("parent_code", "valid_from", "valid_to", "legal_ref"),
)
SUCCESSIONS = FileFormat(
    "successions",
    ("predecessor_code", "successor_code", "kind", "effective_date"),
    ("legal_ref",),
)
# ``note`` is for the people who keep the file (the source of a code, what is assumed): it is
# read and checked for length but not stored.
AGENCIES = FileFormat(
    "agencies",
    ("code", "name", "kind", "unit_code"),
    ("electronic_code", "valid_from", "valid_to", "note"),
)
FORMATS = (UNITS, SUCCESSIONS, AGENCIES)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where: file, line (1 = header) and column."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = {"file": self.file, "line": self.line, "column": self.column}
        if self.line is None:
            return _("%(file)s: %(message)s") % {**place, "message": self.message}
        if self.column is None:
            return _("%(file)s, line %(line)s: %(message)s") % {**place, "message": self.message}
        return _("%(file)s, line %(line)s, column %(column)s: %(message)s") % {
            **place,
            "message": self.message,
        }


class UnitDataError(DomainError):
    """The files were refused; ``problems`` lists every bad row. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    """What a load did, per kind of row."""

    files: list[str] = field(default_factory=list)
    units: Tally = field(default_factory=Tally)
    successions: Tally = field(default_factory=Tally)
    agencies: Tally = field(default_factory=Tally)

    @property
    def total(self) -> int:
        """Rows read from the files (created, updated or already up to date)."""
        return self.units.total + self.successions.total + self.agencies.total

    @property
    def created(self) -> int:
        return self.units.created + self.successions.created + self.agencies.created

    @property
    def updated(self) -> int:
        return self.units.updated + self.successions.updated + self.agencies.updated


# --- reading ------------------------------------------------------------------------------


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]


@dataclass
class Table:
    file: str
    format: FileFormat
    rows: list[Row]


def _decode(label: str, raw: bytes, problems: list[Problem]) -> str | None:
    try:
        return decode_utf8(raw)
    except NotUtf8 as error:
        if error.utf16:
            message = _("the file is UTF-16; save it as UTF-8 (CSV UTF-8)")
        else:
            message = _(
                "not UTF-8 text (byte 0x%(byte)02X at character %(column)s); "
                "save the file as UTF-8 (CSV UTF-8)"
            ) % {"byte": error.byte, "column": error.column}
        problems.append(Problem(label, error.line, None, message))
        return None


def _choose_format(header: list[str]) -> FileFormat:
    """The format whose columns best match the header (to name what is missing or extra)."""

    def score(fmt: FileFormat) -> tuple[int, int]:
        return (len(set(fmt.columns) & set(header)), -len(fmt.columns))

    return max(FORMATS, key=score)


def _read_table(path: Path, problems: list[Problem]) -> Table | None:
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(
            Problem(
                label,
                None,
                None,
                _("cannot read the file (%(reason)s)")
                % {"reason": error.strerror or error.__class__.__name__},
            )
        )
        return None
    text = _decode(label, raw, problems)
    if text is None:
        return None
    try:
        records = [
            (line, [str(cell) for cell in cells])
            for line, cells in csv_records(text, delimiter=",", strict=True)
        ]
    except FileFormatError as error:
        found = error.errors[0]
        problems.append(
            Problem(
                label, found.line, None, _("not valid CSV (%(reason)s)") % {"reason": found.message}
            )
        )
        return None
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        problems.append(Problem(label, 1, None, _("the file is empty: a header line is needed")))
        return None
    header_line, header_cells = records[0]
    header = [nfc(c).strip().lower() for c in header_cells]
    fmt = _choose_format(header)
    if not set(fmt.columns) & set(header):
        problems.append(
            Problem(
                label,
                header_line,
                None,
                _("the header names no known column; expected one of: %(formats)s")
                % {"formats": "; ".join(f"{f.name}: {','.join(f.columns)}" for f in FORMATS)},
            )
        )
        return None
    missing = [c for c in fmt.required if c not in header]
    unknown = [c for c in header if c not in fmt.columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or repeated:
        details = []
        if missing:
            details.append(_("missing column(s): %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            details.append(_("unknown column(s): %(cols)s") % {"cols": ", ".join(unknown)})
        if repeated:
            details.append(_("repeated column(s): %(cols)s") % {"cols": ", ".join(repeated)})
        problems.append(
            Problem(
                label,
                header_line,
                None,
                _("wrong header for a %(format)s file (%(details)s); expected: %(expected)s")
                % {
                    "format": fmt.name,
                    "details": "; ".join(details),
                    "expected": ",".join(fmt.columns),
                },
            )
        )
        return None
    rows = []
    for line, cells in records[1:]:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    label,
                    line,
                    None,
                    _("%(found)s values where the header has %(expected)s columns")
                    % {"found": len(cells), "expected": len(header)},
                )
            )
            continue
        values = {col: nfc(cell).strip() for col, cell in zip(header, cells, strict=True)}
        for col in fmt.optional:
            values.setdefault(col, "")
        rows.append(Row(label, line, values))
    return Table(label, fmt, rows)


class _RowChecker:
    """Reads typed values out of one row, recording a problem for each bad cell."""

    def __init__(self, row: Row, problems: list[Problem]) -> None:
        self.row = row
        self.problems = problems
        self.ok = True

    def fail(self, column: str | None, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(self.row.file, self.row.line, column, message))

    def text(self, column: str, *, max_length: int, required: bool = True) -> str:
        value = self.row.values[column]
        if required and not value:
            self.fail(column, _("a value is required"))
        elif len(value) > max_length:
            self.fail(column, _("longer than %(max)s characters") % {"max": max_length})
        return value

    def code(self, column: str, *, max_length: int, required: bool = True) -> str:
        value = self.text(column, max_length=max_length, required=required)
        if value and not CODE_RE.match(value):
            self.fail(
                column,
                _("%(value)r is not a code (letters, digits, '.', '-', '_', no spaces)")
                % {"value": value},
            )
        return value

    def choice(self, column: str, choices: Any) -> str:
        value = self.row.values[column]
        if value not in choices.values:
            self.fail(
                column,
                _("unknown kind %(value)r; use one of: %(choices)s")
                % {"value": value, "choices": ", ".join(choices.values)},
            )
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        value = self.row.values[column]
        if not value:
            if required:
                self.fail(column, _("a date is required"))
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.fail(
                column,
                _("%(value)r is not a date; write dd/mm/yyyy or yyyy-mm-dd") % {"value": value},
            )
            return None


# --- validation ---------------------------------------------------------------------------

Key = tuple[str, date | None]  # a unit is identified by (code, valid_from)


@dataclass
class UnitVersion:
    """A unit as it will be after the load: from a file row, or already in the database."""

    code: str
    valid_from: date | None
    valid_to: date | None
    level: str
    name: str
    row: Row | None = None
    pk: int | None = None
    # Filled for file rows once the parent is resolved.
    kind: str = ""
    parent_code: str = ""
    parent_key: Key | None = None
    legal_ref: str = ""

    @property
    def key(self) -> Key:
        return (self.code, self.valid_from)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def where(self) -> str:
        if self.row is not None:
            return _("line %(line)s") % {"line": self.row.line}
        return _("already in the database")


def _period(valid_from: date | None, valid_to: date | None) -> str:
    start = format_date(valid_from) if valid_from else "…"
    end = format_date(valid_to) if valid_to else "…"
    return f"{start}–{end}"


def _overlaps(a: UnitVersion | Any, b: UnitVersion | Any) -> bool:
    return (a.valid_to is None or b.valid_from is None or b.valid_from <= a.valid_to) and (
        b.valid_to is None or a.valid_from is None or a.valid_from <= b.valid_to
    )


def _within(inner_from: date | None, inner_to: date | None, outer: UnitVersion) -> bool:
    starts_ok = outer.valid_from is None or (
        inner_from is not None and inner_from >= outer.valid_from
    )
    ends_ok = outer.valid_to is None or (inner_to is not None and inner_to <= outer.valid_to)
    return starts_ok and ends_ok


class Plan:
    """Everything the files ask for, checked against each other and the database."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.versions: dict[str, list[UnitVersion]] = defaultdict(list)
        self.unit_rows: list[UnitVersion] = []
        self.successions: list[dict[str, Any]] = []
        self.agencies: list[dict[str, Any]] = []

    # units ----------------------------------------------------------------------------

    def load_database_units(self) -> None:
        for pk, code, valid_from, valid_to, level, name in AdministrativeUnit.objects.values_list(
            "pk", "code", "valid_from", "valid_to", "level", "name"
        ):
            self.versions[code].append(UnitVersion(code, valid_from, valid_to, level, name, pk=pk))

    def add_unit_rows(self, rows: list[Row]) -> None:
        seen: dict[Key, Row] = {}
        for row in rows:
            check = _RowChecker(row, self.problems)
            code = check.code("code", max_length=20)
            name = check.text("name", max_length=200)
            kind = check.choice("kind", UnitKind)
            parent_code = check.code("parent_code", max_length=20, required=False)
            valid_from = check.date("valid_from")
            valid_to = check.date("valid_to")
            legal_ref = check.text("legal_ref", max_length=300, required=False)
            if valid_from and valid_to and valid_to < valid_from:
                check.fail(
                    "valid_to",
                    _("the unit ends (%(end)s) before it starts (%(start)s)")
                    % {"end": format_date(valid_to), "start": format_date(valid_from)},
                )
            if parent_code and parent_code == code:
                check.fail("parent_code", _("a unit cannot be its own parent"))
            if not check.ok:
                continue
            key = (code, valid_from)
            if key in seen:
                check.fail(
                    "code",
                    _("duplicate: code %(code)s valid from %(start)s is already on line %(line)s")
                    % {
                        "code": code,
                        "start": format_date(valid_from) if valid_from else "…",
                        "line": seen[key].line,
                    },
                )
                continue
            seen[key] = row
            version = UnitVersion(
                code,
                valid_from,
                valid_to,
                LEVEL_OF_KIND[kind],
                name,
                row=row,
                kind=kind,
                parent_code=parent_code,
                legal_ref=legal_ref,
            )
            # A file row replaces the database row with the same key (an update).
            existing = [v for v in self.versions[code] if v.key == key]
            if existing:
                version.pk = existing[0].pk
                self.versions[code].remove(existing[0])
            self.versions[code].append(version)
            self.unit_rows.append(version)

        for version in self.unit_rows:
            self._check_overlap(version)
            self._resolve_parent(version)

    def _check_overlap(self, version: UnitVersion) -> None:
        assert version.row is not None
        for other in self.versions[version.code]:
            if other is version or not _overlaps(version, other):
                continue
            # Report a pair of file rows once, on the later line.
            if other.row is not None and other.row.line > version.row.line:
                continue
            self.problems.append(
                Problem(
                    version.row.file,
                    version.row.line,
                    "valid_from",
                    _(
                        "code %(code)s would name two units at once: %(period)s overlaps "
                        "%(other)s (%(other_period)s, %(where)s)"
                    )
                    % {
                        "code": version.code,
                        "period": _period(version.valid_from, version.valid_to),
                        "other": other.name,
                        "other_period": _period(other.valid_from, other.valid_to),
                        "where": other.where(),
                    },
                )
            )

    def resolve(self, code: str, on: date | None) -> tuple[UnitVersion | None, str]:
        """The version of ``code`` valid on ``on`` (or its only version when ``on`` is None)."""
        candidates = self.versions.get(code, [])
        if not candidates:
            return None, _("unknown unit code %(code)s") % {"code": code}
        if on is None:
            if len(candidates) == 1:
                return candidates[0], ""
            return None, _(
                "code %(code)s has %(count)s versions; give dates so the right one can be chosen"
            ) % {"code": code, "count": len(candidates)}
        matching = [v for v in candidates if v.valid_on(on)]
        if len(matching) != 1:
            return None, _("no unit with code %(code)s on %(date)s") % {
                "code": code,
                "date": format_date(on),
            }
        return matching[0], ""

    def _resolve_parent(self, version: UnitVersion) -> None:
        assert version.row is not None
        if not version.parent_code:
            return
        # The parent is the unit with that code on the child's first (or last) day.
        parent, reason = self.resolve(version.parent_code, version.valid_from or version.valid_to)
        place = (version.row.file, version.row.line, "parent_code")
        if parent is None:
            self.problems.append(Problem(*place, reason))
            return
        version.parent_key = parent.key
        if LEVEL_RANK[parent.level] >= LEVEL_RANK[version.level]:
            self.problems.append(
                Problem(
                    *place,
                    _("%(parent)s (%(code)s) cannot contain a unit of kind %(kind)s")
                    % {"parent": parent.name, "code": parent.code, "kind": version.kind},
                )
            )
        elif not _within(version.valid_from, version.valid_to, parent):
            self.problems.append(
                Problem(
                    *place,
                    _(
                        "the unit (%(period)s) would outlive its parent %(parent)s "
                        "(%(parent_period)s)"
                    )
                    % {
                        "period": _period(version.valid_from, version.valid_to),
                        "parent": parent.name,
                        "parent_period": _period(parent.valid_from, parent.valid_to),
                    },
                )
            )

    # successions ------------------------------------------------------------------------

    def add_succession_rows(self, rows: list[Row]) -> None:
        seen: dict[tuple[Key, Key], Row] = {}
        for row in rows:
            check = _RowChecker(row, self.problems)
            pred_code = check.code("predecessor_code", max_length=20)
            succ_code = check.code("successor_code", max_length=20)
            kind = check.choice("kind", SuccessionKind)
            effective = check.date("effective_date", required=True)
            legal_ref = check.text("legal_ref", max_length=300, required=False)
            if not check.ok or effective is None:
                continue
            # The predecessor existed the day before; the successor exists from the day itself.
            predecessor, reason = self.resolve(pred_code, effective - timedelta(days=1))
            if predecessor is None:
                check.fail("predecessor_code", reason)
            successor, reason = self.resolve(succ_code, effective)
            if successor is None:
                check.fail("successor_code", reason)
            if predecessor is None or successor is None:
                continue
            pair = (predecessor.key, successor.key)
            if pair in seen:
                check.fail(
                    "predecessor_code",
                    _("duplicate: %(pred)s → %(succ)s is already on line %(line)s")
                    % {"pred": pred_code, "succ": succ_code, "line": seen[pair].line},
                )
                continue
            seen[pair] = row
            self.successions.append(
                {
                    "predecessor": predecessor.key,
                    "successor": successor.key,
                    "kind": kind,
                    "effective_date": effective,
                    "legal_ref": legal_ref,
                }
            )

    # agencies ---------------------------------------------------------------------------

    def add_agency_rows(self, rows: list[Row]) -> None:
        seen_codes: dict[str, Row] = {}
        seen_electronic: dict[str, Row] = {}
        taken_electronic = dict(
            Agency.objects.exclude(electronic_code__isnull=True).values_list(
                "electronic_code", "code"
            )
        )
        for row in rows:
            check = _RowChecker(row, self.problems)
            code = check.code("code", max_length=40)
            name = check.text("name", max_length=300)
            kind = check.choice("kind", AgencyKind)
            unit_code = check.code("unit_code", max_length=20)
            electronic = check.code("electronic_code", max_length=40, required=False)
            valid_from = check.date("valid_from")
            valid_to = check.date("valid_to")
            check.text("note", max_length=500, required=False)
            if valid_from and valid_to and valid_to < valid_from:
                check.fail("valid_to", _("the agency ends before it starts"))
            if not check.ok:
                continue
            if code in seen_codes:
                check.fail(
                    "code",
                    _("duplicate: agency %(code)s is already on line %(line)s")
                    % {"code": code, "line": seen_codes[code].line},
                )
                continue
            seen_codes[code] = row
            if electronic:
                if electronic in seen_electronic:
                    check.fail(
                        "electronic_code",
                        _("duplicate: electronic code %(value)s is already on line %(line)s")
                        % {"value": electronic, "line": seen_electronic[electronic].line},
                    )
                elif taken_electronic.get(electronic, code) != code:
                    check.fail(
                        "electronic_code",
                        _("electronic code %(value)s already belongs to agency %(other)s")
                        % {"value": electronic, "other": taken_electronic[electronic]},
                    )
                seen_electronic[electronic] = row
            unit, reason = self.resolve(unit_code, valid_from or valid_to)
            if unit is None:
                check.fail("unit_code", reason)
            elif not _within(valid_from, valid_to, unit):
                check.fail(
                    "valid_to" if valid_to else "valid_from",
                    _("the agency (%(period)s) would outlive its unit %(unit)s (%(unit_period)s)")
                    % {
                        "period": _period(valid_from, valid_to),
                        "unit": unit.name,
                        "unit_period": _period(unit.valid_from, unit.valid_to),
                    },
                )
            if not check.ok or unit is None:
                continue
            self.agencies.append(
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "unit": unit.key,
                    "electronic_code": electronic or None,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                }
            )


# --- writing ------------------------------------------------------------------------------


def _save(obj: Any, values: dict[str, Any], tally: Tally) -> None:
    """Create ``obj``, or update the fields that changed, counting which it was."""
    if obj.pk is None:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        tally.created += 1
        return
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        tally.unchanged += 1
        return
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    tally.updated += 1


def _write(plan: Plan, report: LoadReport) -> None:
    by_key: dict[Key, AdministrativeUnit] = {
        (u.code, u.valid_from): u for u in AdministrativeUnit.objects.all()
    }
    # Parents before children: a parent's level rank is always smaller (checked above).
    for version in sorted(plan.unit_rows, key=lambda v: LEVEL_RANK[v.level]):
        unit = by_key.get(version.key) or AdministrativeUnit(
            code=version.code, valid_from=version.valid_from
        )
        parent = by_key[version.parent_key] if version.parent_key else None
        _save(
            unit,
            {
                "name": version.name,
                "kind": version.kind,
                "parent_id": parent.pk if parent else None,
                "valid_to": version.valid_to,
                "legal_ref": version.legal_ref,
            },
            report.units,
        )
        by_key[version.key] = unit

    existing_successions = {(s.predecessor_id, s.successor_id): s for s in Succession.objects.all()}
    for item in plan.successions:
        predecessor, successor = by_key[item["predecessor"]], by_key[item["successor"]]
        succession = existing_successions.get((predecessor.pk, successor.pk)) or Succession(
            predecessor=predecessor, successor=successor
        )
        _save(
            succession,
            {k: item[k] for k in ("kind", "effective_date", "legal_ref")},
            report.successions,
        )

    existing_agencies = {a.code: a for a in Agency.objects.all()}
    for item in plan.agencies:
        agency = existing_agencies.get(item["code"]) or Agency(code=item["code"])
        values = {k: v for k, v in item.items() if k not in ("code", "unit")}
        values["unit_id"] = by_key[item["unit"]].pk
        _save(agency, values, report.agencies)


def load_units(path_or_paths: str | Path | Iterable[str | Path]) -> LoadReport:
    """Validate then load unit, succession and agency CSV files, in one transaction.

    Files may come in any order: units are written first, then successions, then agencies.
    Raises ``UnitDataError`` listing every problem (file, line, column) if anything is wrong;
    then nothing has been written.
    """
    if isinstance(path_or_paths, str | Path):
        paths = [Path(path_or_paths)]
    else:
        paths = [Path(p) for p in path_or_paths]
    problems: list[Problem] = []
    read = [_read_table(p, problems) for p in paths]
    tables = [t for t in read if t is not None]
    if len(tables) < len(read):
        # A file that cannot be read at all (encoding, header) would only cause noise
        # ("unknown unit code") in the others: report it alone.
        raise UnitDataError(problems)

    def rows_of(fmt: FileFormat) -> list[Row]:
        return [row for t in tables if t.format is fmt for row in t.rows]

    report = LoadReport(files=[str(p) for p in paths])
    with transaction.atomic():
        plan = Plan()
        plan.problems = problems
        plan.load_database_units()
        plan.add_unit_rows(rows_of(UNITS))
        plan.add_succession_rows(rows_of(SUCCESSIONS))
        plan.add_agency_rows(rows_of(AGENCIES))
        if problems:
            order = {str(p): i for i, p in enumerate(paths)}
            raise UnitDataError(sorted(problems, key=lambda p: (order.get(p.file, 0), p.line or 0)))
        try:
            _write(plan, report)
        except IntegrityError as error:
            # Validation should have caught it; never leave a traceback or half a load.
            raise UnitDataError(
                [
                    Problem(
                        report.files[0],
                        None,
                        None,
                        _("refused by the database: %(reason)s") % {"reason": error},
                    )
                ]
            ) from error
    return report


def load_bac_kan() -> LoadReport:
    """Load the shipped Bắc Kạn data (province 06, city 058, 2025 successions, agencies)."""
    return load_units(BAC_KAN_FILES)
