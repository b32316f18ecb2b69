"""The dashboard's linked numbers, rendered in Python: a province's dashboard shows about
1.200 of them, and an ``{% include %}`` per number was a third of the page's time at 1 M
dossiers (docs/performance.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from motcua.reports.views import Number

register = template.Library()


@register.simple_tag
def number(n: Number, mark: str = "") -> SafeString:
    """A count linked to the dossiers behind it (or plain, when no list is behind it);
    ``mark`` names a headline figure for the page's script (``data-headline``)."""
    headline = format_html(' data-headline="{}"', mark) if mark else ""
    if n.url:
        return format_html(
            '<a href="{}" data-figure="{}"{}>{}</a>', n.url, n.figure, headline, n.text
        )
    return format_html('<span data-figure="{}"{}>{}</span>', n.figure, headline, n.text)
