"""Filters of the staff pages: moments in Vietnam time, money in đồng (lib.formatting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def agency_options(agencies: list[dict[str, str]], chosen: str = "") -> SafeString:
    """The ``<option>`` of each agency (``backoffice.selectors.agencies_in_force``), the chosen
    one selected. Written here, not looped in the template: a province offers hundreds of
    agencies in each of a dossier's transfer forms, and the template language costs about
    5 µs an option where this costs one (186 agencies: 1–2 ms of the dossier page's 25)."""
    selected = mark_safe(" selected")  # noqa: S308 (a constant)
    return format_html_join(
        "",
        '<option value="{}"{}>{} ({})</option>',
        (
            (a["code"], selected if a["code"] == chosen else "", a["name"], a["code"])
            for a in agencies
        ),
    )
