"""Filters of the staff pages: moments in Vietnam time, money in đồng (lib.formatting)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from motcua.backoffice.selectors import QueueRow, Urgency
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.choices import Status
from motcua.lib.formatting import format_datetime, format_money, format_number
from motcua.lib.links import last_segment_paths

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


# The list's columns: each the header and its cells' label on a phone (data-label).
_COLUMNS = (
    gettext_lazy("Due at"),
    gettext_lazy("Urgency"),
    gettext_lazy("Code"),
    gettext_lazy("Procedure"),
    gettext_lazy("Applicant"),
    gettext_lazy("Status"),
    gettext_lazy("Assignee"),
)
_URGENCY_LABELS = {
    Urgency.OVERDUE: gettext_lazy("Overdue"),
    Urgency.DUE_TODAY: gettext_lazy("Due today"),
    Urgency.DUE_NEXT: gettext_lazy("Due next working day"),
}


@register.simple_tag
def dossier_table(rows: Iterable[QueueRow], table_id: str) -> SafeString:
    """The queue's and the search's table of dossiers, coloured by end-of-day state
    (``backoffice.selectors.QueueRow``), each row's cells labelled for the phone layout.

    Written here, not looped in the template: 25 rows of seven cells cost 3,2 ms through the
    template language, a fifth of the search page at 10 M dossiers, and 0,5 ms here
    (docs/performance.md). Every value is escaped as ``{{ }}`` escapes it."""
    # str() first: escape() of a lazy string stays lazy, translated again at each use.
    labels = [escape(str(label)) for label in _COLUMNS]
    # get_status_display() translates every status's label to find one: once a page here.
    statuses = {value: escape(str(label)) for value, label in Status.choices}
    badges = {
        urgency: format_html('<span class="urgency {}">{}</span>', urgency.value, str(label))
        for urgency, label in _URGENCY_LABELS.items()
    }
    path = last_segment_paths("backoffice:dossier")
    head = "".join(f'<th scope="col">{label}</th>' for label in labels)
    out = [
        f'<div class="table-wrap table-scroll"><table class="stack" id="{escape(table_id)}">\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n"
    ]
    due_at, urgency, code, procedure, applicant, status, assignee = labels
    for row in rows:
        d = row.dossier
        colour = escape(row.urgency.value) if row.urgency else ""
        number = escape(d.code)
        phone = f'<br><span class="hint">{escape(d.applicant_phone)}</span>'
        person = d.assignee
        out.append(
            f'    <tr class="{colour}" data-code="{number}" data-urgency="{colour}">\n'
            f'      <td data-label="{due_at}">{escape(moment(d.effective_due_at))}</td>\n'
            f'      <td data-label="{urgency}">{badges[row.urgency] if row.urgency else "—"}</td>\n'
            f'      <td data-label="{code}">'
            f'<a href="{escape(path(d.code))}">{number}</a></td>\n'
            f'      <td data-label="{procedure}" class="wrap-anywhere">'
            f"{escape(d.procedure_version.name)}</td>\n"
            f'      <td data-label="{applicant}" class="wrap-anywhere">'
            f"{escape(d.applicant_name)}{phone if d.applicant_phone else ''}</td>\n"
            f'      <td data-label="{status}">{statuses.get(d.status) or escape(d.status)}</td>\n'
            f'      <td data-label="{assignee}">'
            f"{escape(person.full_name or person.username) if person else '—'}</td>\n"
            f"    </tr>\n"
        )
    out.append("  </tbody>\n</table></div>")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
