"""The end-of-day digest e-mail: the dashboard's end-of-day list, as plain text, in Vietnamese.

The lists are ``reports.dashboard.end_of_day`` (the same definitions as the dashboard's
end-of-day page, seed README: "check the dossiers at the end of every working day"); this
module only writes them out. Moments are shown dd/mm/yyyy HH:MM, Vietnam time.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.lib.formatting import format_count, format_date, format_moment
from motcua.lib.site import site_url
from motcua.reports.dashboard import EndOfDay


def dashboard_link(eod: EndOfDay) -> str:
    """The dashboard's end-of-day page of the unit (the list as it is when opened)."""
    path = reverse("reports:end_of_day")
    return site_url(f"{path}?{urlencode({'unit': eod.unit.code})}")


def _row(dossier: Dossier) -> str:
    due = format_moment(dossier.effective_due_at) if dossier.effective_due_at else ""
    text = _("%(code)s, %(procedure)s, due %(due)s") % {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "due": due,
    }
    if dossier.paused_since is not None:
        text += f" ({_('clock stopped')})"
    return f"      - {text}"


def _headings(eod: EndOfDay) -> list[tuple[str, str]]:
    return [
        ("overdue", _("Overdue")),
        ("due_today", _("Due today (%(day)s)") % {"day": format_date(eod.today)}),
        (
            "due_next",
            _("Due on the next working day (%(day)s)") % {"day": format_date(eod.next_working_day)},
        ),
    ]


def digest_subject(eod: EndOfDay) -> str:
    return _(
        "End-of-day list of %(unit)s, %(day)s: %(overdue)s overdue, %(today)s due today, "
        "%(next)s due on the next working day"
    ) % {
        "unit": eod.unit.name,
        "day": format_date(eod.today),
        "overdue": format_count(len(eod.overdue)),
        "today": format_count(len(eod.due_today)),
        "next": format_count(len(eod.due_next)),
    }


def digest_text(eod: EndOfDay, leader: User) -> str:
    """The body: totals, then per unit and officer the dossiers with their due moments."""
    lines = [
        _("Dear %(name)s,") % {"name": str(leader)},
        "",
        _("Dossiers being processed by %(unit)s (%(code)s) at %(at)s:")
        % {"unit": eod.unit.name, "code": eod.unit.code, "at": format_moment(eod.at)},
    ]
    headings = _headings(eod)
    for key, heading in headings:
        lines.append(f"- {heading}: {format_count(len(getattr(eod, key)))}")
    if not eod.units:
        lines += ["", _("Nothing is overdue, due today or due on the next working day.")]
    for unit_list in eod.units:
        lines += ["", f"{unit_list.unit.name} ({unit_list.unit.code})"]
        for entry in unit_list.officers:
            lines.append(f"  {entry.assignee if entry.assignee else _('Not assigned')}")
            for key, heading in headings:
                dossiers = getattr(entry, key)
                if dossiers:
                    lines.append(f"    {heading}: {format_count(len(dossiers))}")
                    lines += [_row(dossier) for dossier in dossiers]
    lines += [
        "",
        _("The list on the dashboard: %(url)s") % {"url": dashboard_link(eod)},
        "",
        _(
            "This message is sent automatically at the end of every working day; "
            "please do not reply."
        ),
    ]
    return "\n".join(lines) + "\n"


def digest_message(eod: EndOfDay, leader: User) -> EmailMessage:
    """The e-mail to one leader, in the site's language (Vietnamese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return EmailMessage(
            subject=digest_subject(eod),
            body=digest_text(eod, leader),
            to=[leader.email],
        )
