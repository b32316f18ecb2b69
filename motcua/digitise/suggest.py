"""Values OCR finds in a text layer, each checked against its pattern before it is offered.

Tesseract ``vie`` misreads about 1 character in 100 on clean print and 5-7 on degraded scans
(integrations-vn.md §3), so nothing here fills a field by itself: the clerk confirms. An ID
number is offered as valid only when ``core.identity`` accepts it with a known province code;
a dossier code only when it has the shape the dossiers app gives codes and a real date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from motcua.core.identity import InvalidValue, check_personal_id
from motcua.digitise.choices import SuggestionKind
from motcua.lib.formatting import nfc

# Suggestions kept per kind: a page of a register can hold hundreds of numbers.
PER_KIND = 5
VALUE_LIMIT = 300

# 12 digits, possibly split by a space or a dot as printed on cards ("006 315 001 234").
_ID = re.compile(r"(?<![\d.])(\d(?:[ .]?\d){11})(?![\d])")
# "{agency electronic code}-{yyMMdd}-{NNNN}" (dossiers.services._next_code).
DOSSIER_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-(\d{6})-\d{4}")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_NAME = re.compile(
    r"(?:Họ,?\s*chữ\s*đệm,?\s*(?:và\s*)?tên|Họ\s*và\s*tên|Họ\s*tên)\s*[:.]?\s*([^\n:]{2,80})",
    re.IGNORECASE,
)
# "Số: 123/2015/QĐ-UBND"; not "Số định danh …" (a colon must follow "Số").
_NUMBER = re.compile(r"\bSố\s*:\s*([0-9][0-9A-Za-zĐđ/.\-]{0,59})")
_NAME_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Found:
    """A value found in the text, and whether it passed its pattern."""

    kind: SuggestionKind
    value: str
    valid: bool


def id_number_valid(number: str) -> bool:
    """A 12-digit number ``core.identity`` accepts, with a known province code."""
    try:
        warnings = check_personal_id(number)
    except InvalidValue:
        return False
    return not any(getattr(warning, "kind", "") == "province" for warning in warnings)


def dossier_code_valid(code: str) -> bool:
    """The shape of a dossier code, with a real date in it."""
    match = DOSSIER_CODE.fullmatch(code)
    if match is None:
        return False
    digits = match.group(1)
    try:
        date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return False
    return True


def name_valid(name: str) -> bool:
    """Two to seven words of letters: a Vietnamese full name."""
    words = name.split()
    return 2 <= len(words) <= 7 and all(_NAME_WORD.fullmatch(word) for word in words)


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy as a date, or None."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def suggestions(text: str) -> list[Found]:
    """The candidate values in ``text`` (normalised to NFC), valid ones first within a kind."""
    text = nfc(text)
    found: dict[SuggestionKind, dict[str, bool]] = {kind: {} for kind in SuggestionKind}

    def add(kind: SuggestionKind, value: str, valid: bool) -> None:
        bucket = found[kind]
        value = value.strip()[:VALUE_LIMIT]
        if value and value not in bucket and len(bucket) < PER_KIND:
            bucket[value] = valid

    for match in _ID.finditer(text):
        number = re.sub(r"[ .]", "", match.group(1))
        add(SuggestionKind.ID_NUMBER, number, id_number_valid(number))
    for match in DOSSIER_CODE.finditer(text):
        add(SuggestionKind.DOSSIER_CODE, match.group(0), dossier_code_valid(match.group(0)))
    for match in _NAME.finditer(text):
        name = re.sub(r"\s+", " ", match.group(1)).strip(" .,;|_-")
        add(SuggestionKind.NAME, name, name_valid(name))
    for match in _DATE.finditer(text):
        day = parse_day(match.group(0))
        value = f"{day:%d/%m/%Y}" if day else re.sub(r"\s", "", match.group(0))
        add(SuggestionKind.DATE, value, day is not None)
    for match in _NUMBER.finditer(text):
        add(SuggestionKind.DOCUMENT_NUMBER, match.group(1).rstrip("."), True)
    return [
        Found(kind, value, valid)
        for kind in SuggestionKind
        for value, valid in sorted(found[kind].items(), key=lambda item: not item[1])
    ]
