"""Checks of one value of a history record: each returns the value normalised or raises
:class:`~motcua.dossiers.history.schema.FieldRefused` naming the field (``place``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.history.schema import QUOTE_LENGTH, SMALL_MAX, FieldRefused
from motcua.lib.formatting import format_number, nfc


def quoted(value: Any) -> str:
    """A refused value as a message repeats it: short, so a 1 MB value never makes a 1 MB
    message."""
    text = str(value)
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def choice(value: Any, choices: Any, place: str) -> str:
    """One of the values of a choices enum."""
    allowed = [str(c) for c in choices.values]
    if not isinstance(value, str) or value not in allowed:
        raise FieldRefused(
            place,
            _("“%(value)s” is not one of: %(allowed)s")
            % {"value": quoted(value), "allowed": ", ".join(allowed)},
        )
    return value


def optional_choice(obj: dict[str, Any], name: str, choices: Any) -> str:
    """The choice under ``name``, or "" when the field is absent, null or empty."""
    return choice(obj[name], choices, name) if obj.get(name) else ""


def moment(value: Any, place: str, *, required: bool = False) -> datetime | None:
    """An ISO 8601 date and time with its offset, as an aware UTC datetime."""
    if value is None:
        if required:
            raise FieldRefused(place, _("is required"))
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise FieldRefused(
            place,
            _("“%(value)s” is not a date and time with its offset (ISO 8601, e.g. %(example)s)")
            % {"value": quoted(value), "example": "2024-01-02T08:15:00+07:00"},
        )
    return parsed.astimezone(UTC)


def required_moment(value: Any, place: str) -> datetime:
    """A date and time that must be given."""
    parsed = moment(value, place, required=True)
    assert parsed is not None
    return parsed


def day(value: Any, place: str) -> date | None:
    """A date (YYYY-MM-DD)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FieldRefused(
        place, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": quoted(value)}
    )


def text(value: Any, place: str, *, required: bool = False, max_length: int = 500) -> str:
    """Text, stripped and in NFC, at most ``max_length`` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldRefused(place, _("must be text"))
    result: str = nfc(value.strip())
    if required and not result:
        raise FieldRefused(place, _("is required"))
    if len(result) > max_length:
        raise FieldRefused(place, _("is longer than %(n)s characters") % {"n": max_length})
    return result


def integer(
    value: Any,
    place: str,
    *,
    minimum: int = 0,
    maximum: int = SMALL_MAX,
    default: int | None = None,
) -> int:
    """A whole number within its column's range (``maximum``: the column's largest value)."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldRefused(place, _("must be a whole number"))
    if value < minimum:
        raise FieldRefused(place, _("must be at least %(n)s") % {"n": minimum})
    if value > maximum:
        raise FieldRefused(place, _("must be at most %(n)s") % {"n": format_number(maximum)})
    return value


def boolean(value: Any, place: str) -> bool:
    """True or false; absent is false."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FieldRefused(place, _("must be true or false"))
    return value


def mapping(value: Any, place: str, known: Iterable[str]) -> dict[str, Any]:
    """An object whose keys are all ``known``."""
    if not isinstance(value, dict):
        raise FieldRefused(place, _("must be an object"))
    for key in value:
        if key not in known:
            raise FieldRefused(f"{place}.{key}" if place else key, _("unknown field"))
    return value


def sequence(value: Any, place: str) -> list[Any]:
    """A list; absent is empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldRefused(place, _("must be a list"))
    return value


def not_before(later: datetime | None, earlier: datetime | None, place: str, other: str) -> None:
    """Refuse ``later`` when it is before ``earlier`` (the field ``other``)."""
    if later is not None and earlier is not None and later < earlier:
        raise FieldRefused(
            place,
            _("%(value)s is before %(other)s (%(other_value)s)")
            % {
                "value": later.astimezone(LOCAL_TZ).isoformat(),
                "other": other,
                "other_value": earlier.astimezone(LOCAL_TZ).isoformat(),
            },
        )
