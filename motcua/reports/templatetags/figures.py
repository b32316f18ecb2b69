"""The reports' repeated markup, rendered in Python: a province's dashboard shows about
1.200 linked numbers, and an ``{% include %}`` per number was a third of the page's time at
1 M dossiers; the loops over its tables' rows and over the 160 periods of its picker cost
another 6 ms in the template language, and a drill-down's 100 rows 7 ms
(docs/performance.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from motcua.lib.links import last_segment_paths

if TYPE_CHECKING:
    from motcua.reports.views import Number

register = template.Library()


@register.simple_tag
def number(n: Number, mark: str = "") -> SafeString:
    """A count linked to the dossiers behind it (or plain, when no list is behind it);
    ``mark`` names a headline figure for the page's script (``data-headline``)."""
    # html.escape is what Django's escape() applies, without its lazy-string wrapper: this
    # runs 1.200 times a page.
    headline = f' data-headline="{escape(mark)}"' if mark else ""
    figure, text = escape(n.figure), escape(n.text)
    if n.url:
        html = f'<a href="{escape(n.url)}" data-figure="{figure}"{headline}>{text}</a>'
    else:
        html = f'<span data-figure="{figure}"{headline}>{text}</span>'
    return mark_safe(html)  # noqa: S308 (every value escaped above)


@register.simple_tag
def figure_rows(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The ``<tr>`` of a table of linked figures (the trend's months, the units side by side):
    ``label``, ``cells`` (Numbers), ``total`` (the row that sums the others) and ``dates``
    (the label's tooltip, if any)."""
    out = []
    for row in rows:
        label = conditional_escape(str(row["label"]))
        if row.get("dates"):
            label = format_html('<span title="{}">{}</span>', row["dates"], label)
        css = ' class="total"' if row.get("total") else ""
        cells = "".join(f'<td class="num">{number(cell)}</td>' for cell in row["cells"])
        out.append(
            f'\n          <tr{css}>\n            <th scope="row">{label}</th>'
            f"\n            {cells}\n          </tr>\n        "
        )
    return mark_safe("".join(out))  # noqa: S308 (labels escaped, numbers built by number())


@register.simple_tag
def period_options(years: Iterable[Mapping[str, Any]]) -> SafeString:
    """The period picker's ``<optgroup>`` per year and ``<option>`` per Decree 09/2019 period
    (``reports.views._named_periods``: ``value``, ``label``, ``dates``, ``selected``)."""
    out = []
    for year in years:
        options = "".join(
            f'<option value="{escape(p["value"])}" {escape(p["selected"])}>'
            f"{escape(p['label'])} ({escape(p['dates'])})</option>"
            for p in year["options"]
        )
        out.append(
            f'<optgroup label="{escape(year["year"])}">\n          {options}\n        </optgroup>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@register.simple_tag
def drill_rows(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The ``<tr>`` of a drill-down's dossiers (``reports.views._dossier_row`` and its
    ``number``), each code linked to the dossier's page."""
    path = last_segment_paths("backoffice:dossier")
    out = []
    for row in rows:
        timeliness = row["timeliness"] and f" <small>({escape(str(row['timeliness']))})</small>"
        out.append(
            f'\n        <tr>\n          <td class="num">{escape(row["number"])}</td>'
            f'\n          <td data-code><a href="{escape(path(row["code"]))}">'
            f"{escape(row['code'])}</a></td>"
            f"\n          <td>{escape(row['procedure'])}"
            f" <small>({escape(row['procedure_code'])})</small></td>"
            f"\n          <td>{escape(row['agency'])}</td>"
            f"\n          <td>{escape(row['received'])}</td>"
            f"\n          <td>{escape(row['due'])}</td>"
            f"\n          <td>{escape(row['resolved'])}{timeliness}</td>"
            f"\n          <td>{escape(str(row['status']))}</td>"
            f"\n          <td>{escape(row['assignee'])}</td>"
            "\n        </tr>\n      "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
