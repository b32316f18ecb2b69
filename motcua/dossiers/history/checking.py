"""The first pass of an import: every line of the file read, parsed and resolved against the
catalogue, agencies and units, and every problem collected with its line. Nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog.models import DeclarationForm, ProcedureVersion
from motcua.core import eforms
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.history.decoding import LineRefused, decode_line, read_lines
from motcua.dossiers.history.fields import quoted
from motcua.dossiers.history.parser import happened, parse_record
from motcua.dossiers.history.schema import (
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER,
    MAX_ERRORS,
    FieldRefused,
    HistoryImportError,
    LineError,
)
from motcua.dossiers.selectors import recorded_until
from motcua.lib.formatting import format_datetime
from motcua.units.models import AdministrativeUnit, Agency


@dataclass
class Resolved:
    """A checked record with the rows its codes name."""

    line: int
    rec: dict[str, Any]
    version: ProcedureVersion
    receiving: Agency
    competent: Agency | None
    current: Agency | None
    unit: AdministrativeUnit | None
    form: DeclarationForm | None = None
    assignee: User | None = None


class _Lookups:
    """Catalogue, agencies, units and staff accounts the file names, read with a few queries."""

    def __init__(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        codes = {r["procedure"] for _, r in records}
        self.versions: dict[str, list[ProcedureVersion]] = {}
        for v in ProcedureVersion.objects.filter(procedure__code__in=codes).select_related(
            "procedure"
        ):
            self.versions.setdefault(v.procedure.code, []).append(v)
        agency_codes = set()
        for _line, r in records:
            agency_codes |= {
                r["receiving_agency"],
                r.get("competent_agency"),
                r.get("current_agency"),
            }
        agency_codes.discard(None)
        self.agencies = {
            a.code: a for a in Agency.objects.filter(code__in=agency_codes).select_related("unit")
        }
        unit_codes = {r["applicant"]["unit"] for _, r in records if r["applicant"]["unit"]}
        self.units: dict[str, list[AdministrativeUnit]] = {}
        for u in AdministrativeUnit.objects.filter(code__in=unit_codes):
            self.units.setdefault(u.code, []).append(u)
        # People only: a machine client's service account (docs/api.md) acts through the API
        # but is no one to hand a dossier to (``accounts.access.handlers``).
        usernames = {r["assignee"] for _, r in records if r.get("assignee")}
        self.staff = {
            u.username: u
            for u in User.objects.filter(username__in=usernames, api_client__isnull=True)
        }

    def version(self, rec: dict[str, Any], day: date) -> ProcedureVersion:
        versions = self.versions.get(rec["procedure"])
        if not versions:
            raise FieldRefused(
                "procedure", _("unknown procedure code %(code)s") % {"code": rec["procedure"]}
            )
        if "procedure_version" in rec:
            for v in versions:
                if v.version == rec["procedure_version"]:
                    return v
            raise FieldRefused(
                "procedure_version",
                _("procedure %(code)s has no version %(version)s")
                % {"code": rec["procedure"], "version": rec["procedure_version"]},
            )
        for v in versions:
            if v.is_in_force_on(day):
                return v
        raise FieldRefused(
            "procedure",
            _("procedure %(code)s has no version in force on %(day)s")
            % {"code": rec["procedure"], "day": f"{day:%d/%m/%Y}"},
        )

    def agency(self, code: str | None, place: str) -> Agency | None:
        if code is None:
            return None
        agency = self.agencies.get(code)
        if agency is None:
            raise FieldRefused(place, _("unknown agency code %(code)s") % {"code": code})
        return agency

    def assignee(self, username: str | None) -> User | None:
        """The staff account a record assigns its dossier to. Whether it is active is asked
        only of a dossier the import creates (``writer``): one already stored is compared."""
        if username is None:
            return None
        user = self.staff.get(username)
        if user is None:
            raise FieldRefused(
                "assignee",
                _("no staff account with username %(username)s") % {"username": quoted(username)},
            )
        return user

    def unit(self, code: str | None, day: date) -> AdministrativeUnit | None:
        if code is None:
            return None
        for u in self.units.get(code, []):
            if (u.valid_from is None or u.valid_from <= day) and (
                u.valid_to is None or day <= u.valid_to
            ):
                return u
        raise FieldRefused(
            "applicant.unit",
            _("no administrative unit with code %(code)s on %(day)s")
            % {"code": code, "day": f"{day:%d/%m/%Y}"},
        )


class _Reading:
    """The lines read so far: the records parsed, the codes seen and the problems found."""

    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.parsed: list[tuple[int, dict[str, Any]]] = []
        self.seen: dict[str, int] = {}
        self.header_seen = False
        # What a live write would refuse (``dossiers.services``): a moment ahead of the clock
        # has not happened, and the reports take the clock columns to stand as now.
        self.until = recorded_until()

    def take(self, number: int, text: str | LineRefused) -> None:
        """Read one line: the header first, then one dossier per line; blank lines skipped."""
        if isinstance(text, LineRefused):
            self._refuse(number, "", str(text))
            return
        if not text.strip():
            return
        try:
            raw = decode_line(text)
        except FieldRefused as bad:
            self._refuse(number, bad.place, bad.message)
            return
        if not self.header_seen:
            self.header_seen = True
            error = _header_error(number, raw)
            if error is not None:
                self.errors.append(error)
            return
        self._record(number, raw)

    def _refuse(self, number: int, place: str, message: str) -> None:
        """A line that cannot be read; on line 1 it stands for the header."""
        self.errors.append(LineError(number, place, message))
        self.header_seen = self.header_seen or number == 1

    def _record(self, number: int, raw: Any) -> None:
        try:
            rec = parse_record(raw)
        except FieldRefused as bad:
            self.errors.append(LineError(number, bad.place, bad.message))
            return
        ahead = _ahead(number, rec, self.until)
        if ahead is not None:
            self.errors.append(ahead)
            return
        if rec["code"] in self.seen:
            self.errors.append(
                LineError(
                    number,
                    "code",
                    _("dossier %(code)s is also on line %(line)s")
                    % {"code": rec["code"], "line": self.seen[rec["code"]]},
                )
            )
            return
        self.seen[rec["code"]] = number
        self.parsed.append((number, rec))


def _ahead(number: int, rec: dict[str, Any], until: datetime) -> LineError | None:
    """The record's first moment of something done that is later than ``until``."""
    for place, at in happened(rec):
        if at > until:
            return LineError(
                number,
                place,
                _("%(at)s has not come yet: only what has happened is recorded")
                % {"at": format_datetime(timezone.localtime(at, LOCAL_TZ))},
            )
    return None


def _header_error(number: int, raw: Any) -> LineError | None:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        return LineError(
            number,
            "format",
            _("the first line must be the header %(header)s") % {"header": json.dumps(HEADER)},
        )
    if raw.get("version") != FORMAT_VERSION:
        return LineError(
            number,
            "version",
            _("format version %(version)s is not supported (this system reads %(ours)s)")
            % {"version": quoted(raw.get("version")), "ours": FORMAT_VERSION},
        )
    return None


def _declaration_form(rec: dict[str, Any]) -> DeclarationForm | None:
    """The form the declaration names (of the dossier's procedure), its answers checked
    against the form's schema as the live service checks them."""
    declaration = rec.get("declaration")
    if declaration is None:
        return None
    form = DeclarationForm.objects.filter(
        code=declaration["form"],
        number=declaration["version"],
        version__procedure__code=rec["procedure"],
    ).first()
    if form is None:
        raise FieldRefused(
            "declaration.form",
            _("procedure %(code)s has no declaration form %(form)s version %(version)s")
            % {
                "code": rec["procedure"],
                "form": declaration["form"],
                "version": declaration["version"],
            },
        )
    clean, problems = eforms.answers_check(form.schema, declaration["answers"])
    for path, problem in problems.items():
        message = _(problem.message) % problem.params if problem.params else _(problem.message)
        raise FieldRefused(f"declaration.answers.{path}", message)
    declaration["answers"] = clean
    return form


def _resolve(parsed: list[tuple[int, dict[str, Any]]], errors: list[LineError]) -> list[Resolved]:
    """The records with the rows their codes name; a code naming nothing is a line's error."""
    lookups = _Lookups(parsed)
    resolved: list[Resolved] = []
    for number, rec in parsed:
        moment = rec["received_at"] or rec["submitted_at"]
        day = moment.astimezone(LOCAL_TZ).date()
        try:
            receiving = lookups.agency(rec["receiving_agency"], "receiving_agency")
            assert receiving is not None
            resolved.append(
                Resolved(
                    number,
                    rec,
                    lookups.version(rec, day),
                    receiving,
                    lookups.agency(rec["competent_agency"], "competent_agency"),
                    lookups.agency(rec.get("current_agency"), "current_agency"),
                    lookups.unit(rec["applicant"]["unit"], day),
                    _declaration_form(rec),
                    lookups.assignee(rec.get("assignee")),
                )
            )
        except FieldRefused as bad:
            errors.append(LineError(number, bad.place, bad.message))
    return resolved


def check_file(source: str | Path | Iterable[str]) -> tuple[int, list[Resolved], list[LineError]]:
    """Lines read, the records that passed every check, and every problem with its line.

    Reading stops after :data:`MAX_ERRORS` problems.
    """
    reading = _Reading()
    number = 0
    for number, text in enumerate(read_lines(source), 1):
        if len(reading.errors) >= MAX_ERRORS:
            reading.errors.append(
                LineError(
                    number,
                    "",
                    _("reading stopped after %(n)s problems: correct them and import again")
                    % {"n": MAX_ERRORS},
                )
            )
            break
        reading.take(number, text)
    if not reading.header_seen:
        reading.errors.append(LineError(1, "", _("the file is empty")))
    return number, _resolve(reading.parsed, reading.errors), reading.errors


def parse_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The records of a history file, checked (for tools and tests; raises on a bad line)."""
    _, items, errors = check_file(lines)
    if errors:
        raise HistoryImportError(errors)
    return [item.rec for item in items]
