"""Stored answers as lines to read: labels, dates dd/mm/yyyy, numbers 1.608, choices by label,
addresses with the unit's name. The officer's page and the printed declaration share it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F

from motcua.core.eforms import FieldType, address_units
from motcua.lib.formatting import format_date, format_number
from motcua.units.models import AdministrativeUnit


@dataclass(frozen=True)
class AnswerLine:
    """One line: ``depth`` 1 inside a group's row; ``heading`` for a group or row title."""

    label: str
    text: str
    depth: int = 0
    heading: bool = False


def _unit_names(schema: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    codes = set(address_units(schema, answers).values())
    names: dict[str, str] = {}
    # The newest unit with the code: codes are reused across reorganisations.
    for code, name in (
        AdministrativeUnit.objects.filter(code__in=codes)
        .order_by("code", F("valid_from").asc(nulls_first=True))
        .values_list("code", "name")
    ):
        names[code] = name
    return names


def _text(spec: dict[str, Any], value: Any, units: dict[str, str]) -> str:
    kind = spec["type"]
    if kind == FieldType.DATE:
        return format_date(date.fromisoformat(value))
    if kind == FieldType.NUMBER:
        return format_number(value)
    if kind == FieldType.CHOICE:
        labels = {option["value"]: option["label"] for option in spec["options"]}
        return str(labels.get(value, value))
    if kind == FieldType.ADDRESS:
        parts = [value.get("street", ""), units.get(value["unit"], value["unit"])]
        return ", ".join(part for part in parts if part)
    return str(value)


def answer_lines(schema: dict[str, Any], answers: dict[str, Any]) -> list[AnswerLine]:
    """Every answered field in the schema's order; unanswered optional fields are left out."""
    units = _unit_names(schema, answers)
    lines: list[AnswerLine] = []

    def walk(fields: list[dict[str, Any]], block: dict[str, Any], depth: int) -> None:
        for spec in fields:
            value = block.get(spec["name"])
            if value is None:
                continue
            if spec["type"] == FieldType.GROUP:
                lines.append(AnswerLine(spec["label"], "", depth, heading=True))
                for index, row in enumerate(value, start=1):
                    lines.append(AnswerLine(f"{index}.", "", depth + 1, heading=True))
                    walk(spec["fields"], row, depth + 1)
            else:
                lines.append(AnswerLine(spec["label"], _text(spec, value, units), depth))

    walk(schema["fields"], answers, 0)
    return lines
