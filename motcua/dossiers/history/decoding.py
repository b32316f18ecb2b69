"""Reading a history file safely: one line at a time, with a byte cap, and decoding each
line's JSON only after its nesting depth is measured (the decoder recurses).

An integer is parsed only up to ``MAX_INT_DIGITS`` digits, a float must be finite, and NUL or
a lone surrogate in any string (keys too) is refused before the database sees it (PostgreSQL
would fail on it, SQLite would store it). Each refusal names the field.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers.history.fields import quoted
from motcua.dossiers.history.schema import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_LINE_BYTES,
    FieldRefused,
)
from motcua.lib.formatting import format_number
from motcua.lib.textcheck import forbidden_character


class LineRefused(Exception):
    """A line that cannot even be decoded: too long, not UTF-8."""


def read_lines(source: str | Path | Iterable[str]) -> Iterator[str | LineRefused]:
    """Each line of the source, or why it cannot be read; never more than one line held.

    A file is read in bytes, a line at most :data:`MAX_LINE_BYTES` at a time: an overlong
    line is skipped in bounded pieces rather than read whole, and a line that is not UTF-8 is
    reported with its number instead of stopping the whole file.
    """
    if not isinstance(source, str | Path):
        for text in source:
            if len(text) > MAX_LINE_BYTES:
                yield LineRefused(_too_long_line())
            else:
                yield text
        return
    with open(source, "rb") as stream:
        first = True
        while True:
            data = stream.readline(MAX_LINE_BYTES + 1)
            if not data:
                return
            if len(data) > MAX_LINE_BYTES and not data.endswith(b"\n"):
                while data and not data.endswith(b"\n"):  # the rest of the line, unread
                    data = stream.readline(64 * 1024)
                yield LineRefused(_too_long_line())
                first = False
                continue
            if first and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            first = False
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as error:
                yield LineRefused(
                    _("not UTF-8 text (byte %(at)s of the line)")
                    % {"at": format_number(error.start + 1)}
                )


def _too_long_line() -> str:
    return _("the line is longer than %(n)s bytes (one dossier per line)") % {
        "n": format_number(MAX_LINE_BYTES)
    }


# A JSON string (possessive: no backtracking on a long one) and a run of anything else.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}:,]', re.S)


class _Unreadable:
    """What the decoder puts in place of a number that cannot be stored; the scan reports it."""

    made = 0  # how many were ever made: a line that made none needs no scan for them

    def __init__(self, message: str) -> None:
        self.message = message
        _Unreadable.made += 1


# Text that may decode to a NUL or a lone surrogate: the raw character, or its JSON escape.
# A line without any is not scanned string by string (the common case, 8 times faster).
_RISKY_TEXT = re.compile(r"[\x00\ud800-\udfff]|\\u(?:0000|[dD][89a-fA-F])")


def _parse_int(digits: str) -> int | _Unreadable:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return _Unreadable(
            _("a number of %(n)s digits: no field holds more than %(max)s")
            % {"n": format_number(len(digits.lstrip("-"))), "max": MAX_INT_DIGITS}
        )
    return int(digits)


def _parse_float(text: str) -> float | _Unreadable:
    value = float(text)
    if not math.isfinite(value):
        return _Unreadable(_("the number %(value)s is too large") % {"value": quoted(text)})
    return value


def _parse_constant(name: str) -> _Unreadable:
    return _Unreadable(_("%(value)s is not a number JSON allows") % {"value": name})


def _depth_exceeded(text: str) -> bool:
    """Whether brackets outside strings nest deeper than :data:`MAX_DEPTH`, found without
    recursion (the JSON decoder recurses once per level and would overflow first)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for char in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _deep_place(text: str) -> str:
    """The field under which a too-deep line nests (its first three levels), for the message."""
    path: list[str] = []
    stack: list[list[Any]] = []  # [kind, key or index]
    key: str | None = None
    for token in _TOKEN.finditer(text):
        part = token.group()
        if part in "[{":
            if stack:
                path.append(_step(stack[-1], key))
            stack.append([part, None if part == "{" else 1])
            key = None
            if len(stack) > MAX_DEPTH:
                break
        elif part in "]}":
            if stack:
                stack.pop()
            if stack and path:  # a nested container closed (the root has no step)
                path.pop()
        elif part == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][1] += 1
            key = None
        elif part == ":":
            pass
        elif stack and stack[-1][0] == "{" and key is None:
            try:
                key = json.loads(part)
            except ValueError:
                key = "?"
    return "".join(path[:3]).lstrip(".")


def _step(frame: list[Any], key: str | None) -> str:
    return f"[{frame[1]}]" if frame[0] == "[" else f".{quoted(key)}"


def decode_line(text: str) -> Any:
    """The line's JSON, or ``FieldRefused`` naming where it is hostile or not JSON."""
    if _depth_exceeded(text):
        raise FieldRefused(
            _deep_place(text),
            _("nested more than %(n)s levels deep") % {"n": MAX_DEPTH},
        )
    made = _Unreadable.made
    try:
        raw = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as error:
        raise FieldRefused(
            "",
            _("not valid JSON (column %(col)s: %(error)s)")
            % {"col": error.colno, "error": error.msg},
        ) from None
    except RecursionError:  # not reached after the depth check; never a traceback
        raise FieldRefused("", _("nested more than %(n)s levels deep") % {"n": MAX_DEPTH}) from None
    if _Unreadable.made != made or _RISKY_TEXT.search(text):
        _scan(raw, "")
    return raw


def _scan(value: Any, place: str) -> None:
    """Refuse, naming the field, a number no column holds and text no database stores (NUL,
    lone surrogates), in values and keys alike. Depth is bounded, so recursion is safe."""
    if isinstance(value, str):
        problem = forbidden_character(value)
        if problem:
            raise FieldRefused(place, problem)
    elif isinstance(value, _Unreadable):
        raise FieldRefused(place, value.message)
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = forbidden_character(key)
            if problem:
                raise FieldRefused(place, _("a field name %(problem)s") % {"problem": problem})
            _scan(item, f"{place}.{quoted(key)}" if place else quoted(key))
    elif isinstance(value, list):
        for i, item in enumerate(value, 1):
            _scan(item, f"{place}[{i}]")
