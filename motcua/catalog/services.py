"""Writes to the procedure catalogue: import and export of the catalogue file, the demo catalogue.

An import is all or nothing: every row is checked (cells, duplicate codes, field names, agency
codes, dates against the versions already stored) before anything is written, and any bad row
stops the whole file with every problem listed (invariant 7).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.catalog.fileformat import Component, Fee, ProcedureRow, parse_row, read_rows, write_file
from motcua.catalog.models import (
    ComponentRequirement,
    DeclarationForm,
    FeeItem,
    Field,
    Procedure,
    ProcedureVersion,
)
from motcua.catalog.selectors import procedure_latest_versions, procedures_in_force
from motcua.core import eforms
from motcua.core.errors import DomainError
from motcua.lib.formatting import format_params
from motcua.lib.tablefile import FileFormatError, RowError, capped_errors, too_many_errors
from motcua.units.models import Agency

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_CATALOG_PATH = DATA_DIR / "bac_kan_demo.csv"
# The versions from 1/7/2025 (two-level government, §10.2) and where each field went and why.
TWO_LEVEL_CATALOG_PATH = DATA_DIR / "bac_kan_2025.csv"
TWO_LEVEL_BASIS_PATH = DATA_DIR / "bac_kan_2025_can_cu.csv"


class CatalogImportError(DomainError):
    """The file was refused; ``errors`` names every bad line and column. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did, by procedure code."""

    rows: int = 0
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    end_changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Procedures in the file (the demo loader reports this)."""
        return self.rows


def version_row(version: ProcedureVersion) -> ProcedureRow:
    """A stored version in the file's terms (children must be prefetched)."""
    agency = version.competent_agency
    return ProcedureRow(
        line=0,
        code=version.procedure.code,
        name=version.name,
        field_code=version.field.code,
        field_name=version.field.name,
        level=version.level,
        agency_code=agency.code if agency else "",
        competent_body=version.competent_body,
        time_limit=version.time_limit,
        time_limit_unit=version.time_limit_unit,
        online_time_limit=version.online_time_limit,
        fees=tuple(Fee(f.label, f.amount) for f in version.fees.all()),
        is_certification=version.is_certification,
        online_level=version.online_level,
        components=tuple(
            Component(c.name, c.originals, c.certified_copies, c.photocopies)
            for c in version.components.all()
        ),
        valid_from=version.valid_from,
        valid_to=version.valid_to,
    )


def _stored_earlier(rows: list[ProcedureRow], agencies: dict[str, Agency]) -> set[str]:
    """Codes whose row is, word for word, a stored version older than the newest one (same
    start, same content): the row of a file exported before the later version was imported.
    Such a row changes nothing (its end date is the later version's start)."""
    starts = {(row.code, row.valid_from) for row in rows if row.valid_from is not None}
    if not starts:
        return set()
    wanted = {row.code: row for row in rows}
    candidates = (
        ProcedureVersion.objects.filter(procedure__code__in=list(wanted), valid_to__isnull=False)
        .select_related("procedure", "field", "competent_agency")
        .prefetch_related("fees", "components")
    )
    found = set()
    for version in candidates:
        row = wanted[version.procedure.code]
        if (row.code, version.valid_from) not in starts:
            continue
        if _resolved(row, agencies).content() == version_row(version).content():
            found.add(row.code)
    return found


def _check_rows(
    rows: list[ProcedureRow],
) -> tuple[list[RowError], dict[str, Agency], dict[str, ProcedureVersion], set[str]]:
    """Checks needing the whole file or the database: errors, agencies, newest versions, and
    the codes whose row is an older stored version (left as it is)."""
    errors: list[RowError] = []
    first_line = _first_lines(rows, errors)
    _check_field_names(rows, errors)
    agencies = _row_agencies(rows, errors)
    latest = {
        v.procedure.code: v
        for v in procedure_latest_versions().filter(procedure__code__in=list(first_line))
    }
    earlier = _stored_earlier(rows, agencies)
    for row in rows:
        current = latest.get(row.code)
        if current is None or row.line != first_line[row.code] or row.code in earlier:
            continue
        errors.extend(_version_problems(row, current, agencies))
    return errors, agencies, latest, earlier


def _first_lines(rows: list[ProcedureRow], errors: list[RowError]) -> dict[str, int]:
    """The line each code first appears on; a code on a second line is an error."""
    first_line: dict[str, int] = {}
    for row in rows:
        if row.code in first_line:
            errors.append(
                RowError(
                    row.line,
                    "ma_thu_tuc",
                    _("the code %(code)s is already on line %(first)s")
                    % {"code": row.code, "first": first_line[row.code]},
                )
            )
        else:
            first_line[row.code] = row.line
    return first_line


def _check_field_names(rows: list[ProcedureRow], errors: list[RowError]) -> None:
    """A field keeps one name: the catalogue's, else the first line's; a new one needs one."""
    stored_fields = dict(Field.objects.values_list("code", "name"))
    named: dict[str, tuple[str, int]] = {}
    for row in rows:
        if not row.field_name:
            if row.field_code not in stored_fields and row.field_code not in named:
                message = _("the field %(code)s is new: give its name") % {"code": row.field_code}
                errors.append(RowError(row.line, "ten_linh_vuc", message))
            continue
        if row.field_code in stored_fields and stored_fields[row.field_code] != row.field_name:
            message = _("the field %(code)s is named “%(name)s” in the catalogue") % {
                "code": row.field_code,
                "name": stored_fields[row.field_code],
            }
            errors.append(RowError(row.line, "ten_linh_vuc", message))
        elif row.field_code in named and named[row.field_code][0] != row.field_name:
            message = _("the field %(code)s is named “%(name)s” on line %(first)s") % {
                "code": row.field_code,
                "name": named[row.field_code][0],
                "first": named[row.field_code][1],
            }
            errors.append(RowError(row.line, "ten_linh_vuc", message))
        else:
            named.setdefault(row.field_code, (row.field_name, row.line))


def _row_agencies(rows: list[ProcedureRow], errors: list[RowError]) -> dict[str, Agency]:
    """The agencies the rows name, by code; an unknown code is an error."""
    wanted_agencies = {row.agency_code for row in rows if row.agency_code}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=wanted_agencies)}
    for row in rows:
        if row.agency_code and row.agency_code not in agencies:
            errors.append(
                RowError(
                    row.line,
                    "ma_co_quan",
                    _("no agency has the code %(code)s") % {"code": row.agency_code},
                )
            )
    return agencies


def _version_problems(
    row: ProcedureRow, current: ProcedureVersion, agencies: dict[str, Agency]
) -> list[RowError]:
    """A row against the procedure's newest stored version: the same content may only end it
    after it started; new content must start after it."""
    errors: list[RowError] = []
    start = f"{current.valid_from:%d/%m/%Y}"
    same = _resolved(row, agencies).content() == version_row(current).content()
    if same and row.valid_to is not None and row.valid_to <= current.valid_from:
        errors.append(
            RowError(
                row.line,
                "het_hieu_luc_tu",
                _("must be after %(start)s, when version %(version)s came into force")
                % {"version": current.version, "start": start},
            )
        )
    if not same and row.valid_from is not None and row.valid_from <= current.valid_from:
        errors.append(
            RowError(
                row.line,
                "hieu_luc_tu",
                _(
                    "the content differs from version %(version)s in force from %(start)s: "
                    "a new version must start after that day"
                )
                % {"version": current.version, "start": start},
            )
        )
    return errors


def _resolved(row: ProcedureRow, agencies: dict[str, Agency]) -> ProcedureRow:
    """The row with the agency's name as competent body when the file leaves it empty."""
    if row.competent_body or row.agency_code not in agencies:
        return row
    return ProcedureRow(**{**row.__dict__, "competent_body": agencies[row.agency_code].name})


def _create_version(
    procedure: Procedure,
    number: int,
    row: ProcedureRow,
    fields: dict[str, Field],
    agencies: dict[str, Agency],
) -> ProcedureVersion:
    assert row.valid_from is not None
    version = ProcedureVersion(
        procedure=procedure,
        version=number,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        name=row.name,
        field=fields[row.field_code],
        level=row.level,
        competent_agency=agencies.get(row.agency_code),
        competent_body=row.competent_body,
        time_limit=row.time_limit,
        time_limit_unit=row.time_limit_unit,
        online_time_limit=row.online_time_limit,
        is_certification=row.is_certification,
        online_level=row.online_level,
    )
    version.full_clean(exclude=["procedure", "field", "competent_agency"])
    version.save()
    ComponentRequirement.objects.bulk_create(
        ComponentRequirement(
            version=version,
            position=i,
            name=c.name,
            originals=c.originals,
            certified_copies=c.certified_copies,
            photocopies=c.photocopies,
        )
        for i, c in enumerate(row.components, 1)
    )
    FeeItem.objects.bulk_create(
        FeeItem(version=version, position=i, label=f.label, amount=f.amount)
        for i, f in enumerate(row.fees, 1)
    )
    return version


def catalog_import(path: str | Path, *, valid_from_default: date | None = None) -> ImportReport:
    """Import a catalogue file (.csv or .xlsx, format in docs/catalog.md), all or nothing.

    A new code creates the procedure. A known code whose content differs from its newest
    version starts a new version on the row's ``hieu_luc_tu`` and closes the previous one on
    that day; equal content changes nothing, except the end date (``het_hieu_luc_tu``) when it
    differs. A row equal to an older stored version (same ``hieu_luc_tu``, same content) is
    that version and changes nothing. ``valid_from_default`` fills an empty ``hieu_luc_tu``.
    Raises ``CatalogImportError`` with every bad row; then nothing is written.
    """
    path = Path(path)
    try:
        raw_rows = read_rows(path)
    except FileFormatError as exc:
        raise CatalogImportError(exc.errors) from None

    errors: list[RowError] = []
    rows: list[ProcedureRow] = []
    for line, cells in raw_rows:
        parsed = parse_row(line, cells, valid_from_default=valid_from_default)
        if isinstance(parsed, list):
            errors.extend(parsed)
            if too_many_errors(errors):
                break  # the first MAX_ERRORS problems are reported (settings.MOTCUA_IMPORT)
        else:
            rows.append(parsed)

    report = ImportReport(rows=len(raw_rows))
    # Check and write in one transaction, so what was checked is what gets changed.
    with transaction.atomic():
        more_errors, agencies, latest, earlier = _check_rows(rows)
        errors.extend(more_errors)
        if errors:
            errors.sort(key=lambda e: (e.line or 0, e.column or ""))
            raise CatalogImportError(capped_errors(errors))

        fields = {f.code: f for f in Field.objects.filter(code__in={r.field_code for r in rows})}
        for row in rows:
            if row.field_code not in fields:
                fields[row.field_code] = Field.objects.create(
                    code=row.field_code, name=row.field_name
                )
                report.fields_created.append(row.field_code)

        for row in map(lambda r: _resolved(r, agencies), rows):
            current = latest.get(row.code)
            if row.code in earlier:
                report.unchanged.append(row.code)
            elif current is None:
                procedure = Procedure.objects.create(code=row.code)
                _create_version(procedure, 1, row, fields, agencies)
                report.created.append(row.code)
            elif row.content() == version_row(current).content():
                if current.valid_to == row.valid_to:
                    report.unchanged.append(row.code)
                else:
                    current.valid_to = row.valid_to
                    current.full_clean(exclude=["procedure", "field", "competent_agency"])
                    current.save(update_fields=["valid_to"])
                    report.end_changed.append(row.code)
            else:
                assert row.valid_from is not None
                if current.valid_to is None or current.valid_to > row.valid_from:
                    current.valid_to = row.valid_from
                    current.save(update_fields=["valid_to"])
                _create_version(current.procedure, current.version + 1, row, fields, agencies)
                report.new_versions.append(row.code)
    return report


def catalog_export(path: str | Path, *, on: date | None = None) -> int:
    """Write the catalogue to ``path`` (.csv or .xlsx) in the import format; returns the rows.

    With ``on``, the versions in force that day; without, the newest version of every procedure
    (abolished ones included, with their end date), so importing the file into an empty
    database reproduces the catalogue.
    """
    versions = procedure_latest_versions() if on is None else procedures_in_force(on)
    rows = [version_row(v) for v in versions]
    try:
        write_file(Path(path), rows)
    except FileFormatError as exc:
        raise CatalogImportError(exc.errors) from None
    return len(rows)


def load_demo_catalog() -> ImportReport:
    """Import the shipped demo catalogue (data/bac_kan_demo.csv); its agencies must exist."""
    return catalog_import(DEMO_CATALOG_PATH)


def load_two_level_catalog() -> ImportReport:
    """Import the demo catalogue's versions from 1/7/2025 (data/bac_kan_2025.csv): the former
    city-level procedures at the commune or the province (§10.2). Run after
    ``load_demo_catalog``; the province's departments must exist. Idempotent."""
    return catalog_import(TWO_LEVEL_CATALOG_PATH)


# -- declaration forms ----------------------------------------------------------------------

DEMO_FORMS_PATH = DATA_DIR / "demo_declaration_forms.json"
# A forms file is a few hundred kilobytes at most; anything larger is not one.
FORMS_FILE_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class FormsReport:
    """What a declaration-forms import did, by form code and version ("TK-KS v1")."""

    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Forms in the file (the demo loader reports this)."""
        return len(self.created) + len(self.unchanged)


def _at(path: str, message: str) -> RowError:
    """A problem at a path of the JSON file (RowError's column is for table files)."""
    return RowError(None, None, f"{path}: {message}")


def schema_problem_texts(schema: object) -> list[str]:
    """The schema's problems, translated, each starting with its path."""
    return [
        f"{problem.path}: {_(problem.message) % format_params(problem.params)}"
        if problem.params
        else f"{problem.path}: {_(problem.message)}"
        for problem in eforms.schema_check(schema)
    ]


# The procedure page's texts may come with the form (the catalogue file has no room for them).
PAGE_FACTS = ("legal_basis", "steps", "conditions")
PAGE_FACT_MAX = 10_000
FORM_ITEM_KEYS = frozenset({"procedure", "schema", "legal_note", *PAGE_FACTS})


def _page_facts_set(version: ProcedureVersion, item: dict[str, Any]) -> None:
    """The legal basis, steps and conditions the item gives, on the procedure version."""
    changed = []
    for key in PAGE_FACTS:
        if key in item:
            value = unicodedata.normalize("NFC", item[key].strip())
            if getattr(version, key) != value:
                setattr(version, key, value)
                changed.append(key)
    if changed:
        version.save(update_fields=changed)


def _form_item_errors(
    index: int, item: object, on: date | None
) -> tuple[list[RowError], ProcedureVersion | None]:
    where = f"forms[{index}]"
    if not isinstance(item, dict) or set(item) - FORM_ITEM_KEYS:
        message = _("an item has only the keys %(keys)s") % {
            "keys": ", ".join(sorted(FORM_ITEM_KEYS))
        }
        return [_at(where, message)], None
    # The path is part of the text: RowError's column is for table files.
    errors = [
        RowError(None, None, f"{where}.schema.{text}")
        for text in schema_problem_texts(item.get("schema"))
    ]
    for key in PAGE_FACTS:
        value = item.get(key, "")
        if not isinstance(value, str) or len(value) > PAGE_FACT_MAX:
            message = _("at most %(n)s characters of text") % {"n": PAGE_FACT_MAX}
            errors.append(_at(f"{where}.{key}", message))
    note = item.get("legal_note", "")
    if not isinstance(note, str) or len(note) > 500:
        errors.append(_at(f"{where}.legal_note", _("at most 500 characters")))
    code = item.get("procedure")
    version = None
    if not isinstance(code, str):
        errors.append(_at(f"{where}.procedure", _("give the procedure code")))
    else:
        versions = ProcedureVersion.objects.filter(procedure__code=code)
        if on is not None:
            versions = versions.filter(valid_from__lte=on).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=on)
            )
        version = versions.order_by("-version").first()
        if version is None:
            message = _("no procedure has the code %(code)s") % {"code": code[:40]}
            errors.append(_at(f"{where}.procedure", message))
    return errors, version


def declaration_forms_import(path: str | Path, *, on: date | None = None) -> FormsReport:
    """Import declaration forms from a JSON file (docs/catalog.md, docs/eforms.md), all or nothing.

    Each item attaches its schema to the procedure's newest version (or the one in force on
    ``on``). A (code, version) already stored with the same schema is left alone; with a
    different schema it is refused: a changed form needs the next version number, so answers
    already given keep their schema. Raises ``CatalogImportError`` naming the JSON line or the
    item path of every problem; then nothing is written.
    """
    path = Path(path)
    try:
        if path.stat().st_size > FORMS_FILE_MAX_BYTES:
            raise CatalogImportError([RowError(None, None, _("the file is larger than 5 MB"))])
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogImportError([RowError(None, None, str(exc.strerror or exc))]) from None
    except UnicodeDecodeError:
        raise CatalogImportError([RowError(None, None, _("the file is not UTF-8 text"))]) from None
    except json.JSONDecodeError as exc:
        message = _("not valid JSON (%(reason)s, column %(column)s)") % {
            "reason": exc.msg,
            "column": exc.colno,
        }
        raise CatalogImportError([RowError(exc.lineno, None, message)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("forms"), list):
        raise CatalogImportError([_at("forms", _('give {"forms": [...]}'))])

    report = FormsReport()
    with transaction.atomic():
        errors: list[RowError] = []
        checked: list[tuple[int, dict[str, Any], ProcedureVersion]] = []
        for index, item in enumerate(data["forms"]):
            item_errors, version = _form_item_errors(index, item, on)
            errors.extend(item_errors)
            if too_many_errors(errors):
                break
            if not item_errors and version is not None:
                checked.append((index, item, version))
        seen: set[tuple[str, int]] = set()
        for index, item, _version in checked:
            schema = item["schema"]
            key = (schema["code"], schema["version"])
            stored = DeclarationForm.objects.filter(code=key[0], number=key[1]).first()
            if key in seen or (stored is not None and stored.schema != schema):
                message = _(
                    "form %(code)s version %(number)s already exists with another content; "
                    "give the changed form the next version number"
                ) % {"code": key[0], "number": key[1]}
                errors.append(_at(f"forms[{index}].schema.version", message))
            seen.add(key)
        if errors:
            raise CatalogImportError(capped_errors(errors))
        for _index, item, version in checked:
            _page_facts_set(version, item)
            schema = item["schema"]
            label = f"{schema['code']} v{schema['version']}"
            if DeclarationForm.objects.filter(
                code=schema["code"], number=schema["version"]
            ).exists():
                report.unchanged.append(label)
                continue
            DeclarationForm.objects.create(
                version=version,
                code=schema["code"],
                number=schema["version"],
                title=unicodedata.normalize("NFC", schema["title"]),
                schema=schema,
                legal_note=item.get("legal_note", ""),
            )
            report.created.append(label)
    return report


def load_demo_declaration_forms() -> FormsReport:
    """Import the demo's declaration forms (data/demo_declaration_forms.json). Idempotent."""
    return declaration_forms_import(DEMO_FORMS_PATH)
