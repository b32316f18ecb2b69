"""Filters of the staff pages: moments in Vietnam time, money in đồng (lib.formatting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from motcua.core.clock import LOCAL_TZ
from motcua.lib.formatting import format_datetime, format_money, format_number

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time; a dash for no moment."""
    if value is None:
        return "—"
    return format_datetime(timezone.localtime(value, LOCAL_TZ))


@register.filter
def number(value: int | None) -> str:
    """1.608: a count the Vietnamese way (lib.formatting)."""
    return "—" if value is None else format_number(value)


@register.filter
def money(value: int | None) -> str:
    return "—" if value is None else format_money(value)


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``mapping[key]`` or an empty string (errors and submitted values by field name)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
