"""The unit picker's options, rendered in Python: a province's leader may pick any of its
222 units, and the loop over them in the template language (four values an option) was about
2 ms of the dashboard's and the end-of-day page's rendering (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from motcua.units.models import AdministrativeUnit

register = template.Library()


@register.simple_tag
def unit_options(units: Iterable[AdministrativeUnit], chosen: AdministrativeUnit) -> SafeString:
    """An ``<option>`` per unit (its name and code, valued by the code), ``chosen`` selected:
    a reused code (01840 before and after 01/07/2025) is picked by its code."""
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f'<option value="{escape(u.code)}"{" selected" if u.code == chosen.code else ""}>'
            f"{escape(u.name)} ({escape(u.code)})</option>"
            for u in units
        )
    )
