"""Declaration forms (tờ khai): the field schema and the checks of a schema and of its answers.

A schema is JSON, stored with the catalogue and versioned there (docs/eforms.md)::

    {"code": "TK-KS", "version": 1, "title": "Tờ khai đăng ký khai sinh",
     "fields": [{"name": "child_name", "type": "text", "label": "Họ, chữ đệm, tên",
                 "required": true, "max_length": 100}, ...]}

Field types: ``text`` (``max_length``, default 2.000), ``date`` (typed dd/mm/yyyy, a real
calendar day: 31/02 is refused; stored ISO yyyy-mm-dd), ``number`` (integer, ``min``/``max``),
``choice`` (``options``: ``[{"value", "label"}]``), ``id_number`` (the 12-digit personal ID),
``address`` (``{"unit": code, "street": line}``: the shape only; the Django side checks the unit
exists) and ``group`` (a repeated block of ``fields``, ``min_items``/``max_items`` rows).

Everything is bounded (fields, depth, options, rows, text) so a hostile schema or answer costs
little. Messages are English msgids marked with :func:`gettext_noop` and ``%(name)s``
placeholders; the Django side translates them. Pure Python: no Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from motcua.core.identity import InvalidValue, check_personal_id


def gettext_noop(message: str) -> str:
    """Marks a msgid for extraction (makemessages knows this name); translated by the caller."""
    return message


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    CHOICE = "choice"
    ID_NUMBER = "id_number"
    ADDRESS = "address"
    GROUP = "group"


MAX_FIELDS = 200  # all fields, groups' sub-fields included
MAX_DEPTH = 2  # a group may hold a group, no deeper: forms on paper never nest more
MAX_OPTIONS = 100
MAX_GROUP_ITEMS = 50
TEXT_MAX_DEFAULT = 2000
TEXT_MAX_CEILING = 5000
LABEL_MAX = 300
HELP_MAX = 1000
STREET_MAX = 300
UNIT_CODE_RE = re.compile(r"\d{2,10}")
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,39}")
DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
NUMBER_RE = re.compile(r"[+-]?\d{1,15}")
# A number larger than this is not a count or an amount on a declaration.
NUMBER_LIMIT = 10**15

FIELD_KEYS = frozenset(
    {
        "name",
        "type",
        "label",
        "required",
        "help",
        "max_length",
        "min",
        "max",
        "options",
        "fields",
        "min_items",
        "max_items",
    }
)


@dataclass(frozen=True)
class Problem:
    """What is wrong at ``path`` (``fields[3].options`` in a schema, ``children[2].birth_date``
    in answers): an English msgid and its parameters."""

    path: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return self.message % self.params if self.params else self.message


# -- schema --------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _SchemaChecker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def add(self, path: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(path, message, params))

    def fields(self, fields: Any, path: str, depth: int) -> None:
        if not isinstance(fields, list) or not fields:
            self.add(path, gettext_noop("Give a non-empty list of fields."))
            return
        names: set[str] = set()
        for index, spec in enumerate(fields):
            self.count += 1
            if self.count > MAX_FIELDS:
                self.add(path, gettext_noop("A form has at most %(max)s fields."), max=MAX_FIELDS)
                return
            self.field(spec, f"{path}[{index}]", depth, names)

    def _int(self, spec: dict[str, Any], key: str, path: str) -> int | None:
        value = spec.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= NUMBER_LIMIT:
            self.add(f"{path}.{key}", gettext_noop("Give a whole number."))
            return None
        return value

    def field(self, spec: Any, path: str, depth: int, names: set[str]) -> None:
        if not isinstance(spec, dict):
            self.add(path, gettext_noop("A field is an object with name, type and label."))
            return
        for key in sorted(set(spec) - FIELD_KEYS):
            self.add(f"{path}.{key}", gettext_noop("Unknown key %(key)s."), key=str(key)[:40])
        name = spec.get("name")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            self.add(
                f"{path}.name",
                gettext_noop("A field name is lower-case letters, digits and _ (at most 40)."),
            )
        elif name in names:
            self.add(f"{path}.name", gettext_noop("The name %(name)s is used twice."), name=name)
        else:
            names.add(name)
        label = spec.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX:
            self.add(
                f"{path}.label",
                gettext_noop("Give a label of at most %(max)s characters."),
                max=LABEL_MAX,
            )
        elif _nfc(label) != label:
            self.add(f"{path}.label", gettext_noop("Write the label in Unicode NFC."))
        help_text = spec.get("help", "")
        if not isinstance(help_text, str) or len(help_text) > HELP_MAX:
            self.add(
                f"{path}.help",
                gettext_noop("Give a help text of at most %(max)s characters."),
                max=HELP_MAX,
            )
        if not isinstance(spec.get("required", False), bool):
            self.add(f"{path}.required", gettext_noop("Write true or false."))
        kind = spec.get("type")
        if kind not in set(FieldType):
            self.add(
                f"{path}.type",
                gettext_noop("Unknown field type; use one of %(types)s."),
                types=", ".join(FieldType),
            )
            return
        if kind == FieldType.TEXT:
            max_length = self._int(spec, "max_length", path)
            if max_length is not None and not 1 <= max_length <= TEXT_MAX_CEILING:
                self.add(
                    f"{path}.max_length",
                    gettext_noop("Give a length between 1 and %(max)s."),
                    max=TEXT_MAX_CEILING,
                )
        elif kind == FieldType.NUMBER:
            low, high = self._int(spec, "min", path), self._int(spec, "max", path)
            if low is not None and high is not None and low > high:
                self.add(f"{path}.max", gettext_noop("The maximum is below the minimum."))
        elif kind == FieldType.CHOICE:
            self.options(spec.get("options"), f"{path}.options")
        elif kind == FieldType.GROUP:
            if depth >= MAX_DEPTH:
                self.add(path, gettext_noop("Groups nest at most %(max)s deep."), max=MAX_DEPTH)
                return
            low = self._int(spec, "min_items", path)
            high = self._int(spec, "max_items", path)
            low = 0 if low is None else low
            high = MAX_GROUP_ITEMS if high is None else high
            if not 0 <= low <= high <= MAX_GROUP_ITEMS:
                self.add(
                    f"{path}.max_items",
                    gettext_noop("Rows: 0 <= min_items <= max_items <= %(max)s."),
                    max=MAX_GROUP_ITEMS,
                )
            self.fields(spec.get("fields"), f"{path}.fields", depth + 1)

    def options(self, options: Any, path: str) -> None:
        if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS:
            self.add(path, gettext_noop("Give 1 to %(max)s options."), max=MAX_OPTIONS)
            return
        values: set[str] = set()
        for index, option in enumerate(options):
            where = f"{path}[{index}]"
            if (
                not isinstance(option, dict)
                or not isinstance(option.get("value"), str)
                or not CODE_RE.fullmatch(option["value"])
                or not isinstance(option.get("label"), str)
                or not option["label"].strip()
                or len(option["label"]) > LABEL_MAX
            ):
                self.add(where, gettext_noop('An option is {"value": code, "label": text}.'))
            elif option["value"] in values:
                self.add(
                    where, gettext_noop("The value %(value)s is used twice."), value=option["value"]
                )
            else:
                values.add(option["value"])


def schema_check(schema: Any) -> list[Problem]:
    """Every problem of a declaration-form schema, each naming its path; [] when it is good."""
    checker = _SchemaChecker()
    if not isinstance(schema, dict):
        return [Problem("", gettext_noop("A form schema is a JSON object."))]
    code = schema.get("code")
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        checker.add("code", gettext_noop("Give a code of letters, digits, '.', '-' or '_'."))
    version = schema.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version < 10_000:
        checker.add("version", gettext_noop("Give a version number from 1."))
    title = schema.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > LABEL_MAX:
        checker.add(
            "title", gettext_noop("Give a title of at most %(max)s characters."), max=LABEL_MAX
        )
    for key in sorted(set(schema) - {"code", "version", "title", "fields", "note"}):
        checker.add(str(key)[:40], gettext_noop("Unknown key %(key)s."), key=str(key)[:40])
    checker.fields(schema.get("fields"), "fields", 1)
    return checker.problems


# -- answers -------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """A day typed dd/mm/yyyy (or stored yyyy-mm-dd), or None when it is not a calendar day."""
    text = text.strip()
    if match := DATE_RE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE_RE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 31/02, 29/02 of a common year, month 13
        return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _empty_row(row: Any) -> bool:
    if not isinstance(row, dict):
        return False
    return all(
        _blank(value) or (isinstance(value, dict) and all(_blank(v) for v in value.values()))
        for value in row.values()
    )


class _AnswerChecker:
    def __init__(self) -> None:
        self.errors: dict[str, Problem] = {}

    def add(self, path: str, message: str, **params: Any) -> None:
        self.errors.setdefault(path, Problem(path, message, params))

    def block(self, fields: list[dict[str, Any]], raw: Any, prefix: str) -> dict[str, Any]:
        where = prefix.rstrip(".") or ""
        if not isinstance(raw, dict):
            self.add(where, gettext_noop("The answers are an object of field names."))
            return {}
        names = {spec["name"] for spec in fields}
        for key in list(raw)[: MAX_FIELDS + 1]:
            if key not in names:
                self.add(f"{prefix}{str(key)[:40]}", gettext_noop("This form has no such field."))
        clean: dict[str, Any] = {}
        for spec in fields:
            path = f"{prefix}{spec['name']}"
            value = self.value(spec, raw.get(spec["name"]), path)
            if value is not None:
                clean[spec["name"]] = value
        return clean

    def value(self, spec: dict[str, Any], value: Any, path: str) -> Any:
        kind = spec["type"]
        required = spec.get("required", False)
        if kind == FieldType.GROUP:
            return self.group(spec, value, path)
        if kind == FieldType.ADDRESS:
            return self.address(spec, value, path)
        if _blank(value):
            if required:
                self.add(path, gettext_noop("Fill in this field."))
            return None
        if kind == FieldType.NUMBER:
            return self.number(spec, value, path)
        if not isinstance(value, str):
            self.add(path, gettext_noop("Give text here."))
            return None
        if kind == FieldType.TEXT:
            limit = spec.get("max_length", TEXT_MAX_DEFAULT)
            if len(value) > limit:
                self.add(
                    path,
                    gettext_noop("At most %(max)s characters (this has %(length)s)."),
                    max=limit,
                    length=len(value),
                )
                return None
            return _nfc(value.strip())
        if kind == FieldType.DATE:
            day = parse_date(value[:20])
            if day is None:
                self.add(path, gettext_noop("Give a real date as dd/mm/yyyy."))
                return None
            return day.isoformat()
        if kind == FieldType.CHOICE:
            values = [option["value"] for option in spec["options"]]
            if value not in values:
                self.add(path, gettext_noop("Choose one of the options."))
                return None
            return value
        # FieldType.ID_NUMBER
        number = value.strip()
        try:
            check_personal_id(number[:20])
        except InvalidValue:
            self.add(path, gettext_noop("A personal ID number has 12 digits."))
            return None
        return number

    def number(self, spec: dict[str, Any], value: Any, path: str) -> int | None:
        if isinstance(value, str) and NUMBER_RE.fullmatch(value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= NUMBER_LIMIT:
            self.add(path, gettext_noop("Give a whole number."))
            return None
        low, high = spec.get("min"), spec.get("max")
        if low is not None and value < low:
            self.add(path, gettext_noop("At least %(min)s."), min=low)
            return None
        if high is not None and value > high:
            self.add(path, gettext_noop("At most %(max)s."), max=high)
            return None
        return value

    def address(self, spec: dict[str, Any], value: Any, path: str) -> dict[str, str] | None:
        if (
            value is None
            or value == {}
            or (isinstance(value, dict) and all(_blank(v) for v in value.values()))
        ):
            if spec.get("required", False):
                self.add(path, gettext_noop("Fill in this field."))
            return None
        if not isinstance(value, dict) or set(value) - {"unit", "street"}:
            self.add(path, gettext_noop("An address is a unit and a street line."))
            return None
        unit, street = value.get("unit", ""), value.get("street", "")
        if not isinstance(street, str) or len(street) > STREET_MAX:
            self.add(f"{path}.street", gettext_noop("At most %(max)s characters."), max=STREET_MAX)
            return None
        if not isinstance(unit, str) or not UNIT_CODE_RE.fullmatch(unit.strip()):
            self.add(f"{path}.unit", gettext_noop("Choose the commune or ward."))
            return None
        return {"unit": unit.strip(), "street": _nfc(street.strip())}

    def group(self, spec: dict[str, Any], value: Any, path: str) -> list[dict[str, Any]] | None:
        if value is None:
            value = []
        low = spec.get("min_items", 0)
        high = spec.get("max_items", MAX_GROUP_ITEMS)
        if not isinstance(value, list):
            self.add(path, gettext_noop("Give a list of rows."))
            return None
        if len(value) > high:
            self.add(path, gettext_noop("At most %(max)s rows."), max=high)
            return None
        # A form shows spare empty rows; an untouched one is not an answer.
        rows = [
            self.block(spec["fields"], row, f"{path}[{index}].")
            for index, row in enumerate(value)
            if not _empty_row(row)
        ]
        required = low or (1 if spec.get("required", False) else 0)
        if len(rows) < required:
            self.add(path, gettext_noop("At least %(min)s rows."), min=required)
            return None
        return rows or None


def answers_check(schema: dict[str, Any], raw: Any) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Check answers against a good schema (``schema_check`` gave []).

    Returns the clean answers (text NFC and stripped, dates ISO, numbers int, empty optional
    fields left out) and the errors by field path (``children[2].birth_date``). The answers
    count only when there are no errors.
    """
    checker = _AnswerChecker()
    clean = checker.block(schema["fields"], raw, "")
    return clean, checker.errors


def address_units(schema: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    """The unit code of every address answer, by path: the Django side checks they exist."""
    found: dict[str, str] = {}

    def walk(fields: list[dict[str, Any]], block: dict[str, Any], prefix: str) -> None:
        for spec in fields:
            value = block.get(spec["name"])
            path = f"{prefix}{spec['name']}"
            if value is None:
                continue
            if spec["type"] == FieldType.ADDRESS:
                found[f"{path}.unit"] = value["unit"]
            elif spec["type"] == FieldType.GROUP:
                for index, row in enumerate(value):
                    walk(spec["fields"], row, f"{path}[{index}].")

    walk(schema["fields"], answers, "")
    return found
