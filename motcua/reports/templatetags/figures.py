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
from django.utils.translation import gettext as _

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


@register.simple_tag
def eod_units(units: Iterable[Mapping[str, Any]]) -> SafeString:
    """The end-of-day list per unit and officer (``reports.views.end_of_day_view``): each
    unit, each officer's lists, the first rows of each list and its "see more" link. A
    province's page of 25 units was 1.600 nodes of the template language, 2,9 ms."""
    if not units:
        text = escape(_("Nothing is overdue, due today or due on the next working day."))
        return mark_safe(f"<p>{text}</p>")  # noqa: S308 (escaped)
    head = "".join(
        f'<th scope="col">{escape(_(label))}</th>'
        for label in ("Dossier code", "Procedure", "Held by", "Due (pauses included)", "Status")
    )
    stopped = f" <small>({escape(_('clock stopped'))})</small>"
    out = []
    for unit in units:
        out.append(
            f'\n    <div class="eod-unit" data-eod-unit="{escape(unit["code"])}">'
            f"\n      <h3>{escape(unit['name'])} ({escape(unit['code'])})</h3>"
        )
        for officer in unit["officers"]:
            name, username = escape(str(officer["name"])), escape(officer["username"])
            out.append(
                f'\n      <div class="eod-officer" data-eod-officer="{username}">'
                f"\n        <h4>{name if officer['assigned'] else f'<em>{name}</em>'}</h4>"
            )
            for found in officer["lists"]:
                css, key = escape(found["css"]), escape(found["key"])
                label = f"{escape(str(found['label']))}: {escape(found['count'])}"
                if found["rows"]:
                    rows = "".join(
                        f"\n            <tr><td data-code>{escape(row['code'])}</td>"
                        f"<td>{escape(row['procedure'])}</td><td>{escape(row['agency'])}</td>"
                        f"<td>{escape(row['due'])}</td><td>{escape(str(row['status']))}"
                        f"{stopped if row['paused'] else ''}</td></tr>"
                        for row in found["rows"]
                    )
                    out.append(
                        f'\n        <div class="table-wrap">'
                        f'\n          <table class="eod eod-{css}" data-eod-list="{key}">'
                        f"\n            <caption>{label}</caption>"
                        f"\n            <thead><tr>{head}</tr></thead>"
                        f"\n            <tbody>{rows}\n            </tbody>"
                        f"\n          </table>\n        </div>"
                    )
                else:
                    out.append(f'\n        <p class="eod-{css}" data-eod-list="{key}">{label}</p>')
                if found["more_url"]:
                    more = escape(_("See more (%(n)s more dossiers)") % {"n": found["more"]})
                    out.append(
                        f'\n        <p class="eod-more"><a href="{escape(found["more_url"])}"'
                        f' data-eod-more="{key}">{more}</a></p>'
                    )
            out.append("\n      </div>")
        out.append("\n    </div>")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
