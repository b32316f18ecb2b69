"""The pages of meetings and directives, under /chi-dao/chi-dao-dieu-hanh/.

Sign-in required. What a user sees goes through directives.access: another unit's meeting or
directive answers 404, exactly like one that does not exist. Writes go through
directives.services; their refusals appear next to the field at fault.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Period
from motcua.directives import access, selectors, services
from motcua.directives.choices import ACTIVE, DirectiveStatus, Timeliness
from motcua.directives.errors import DirectiveError, NotFound
from motcua.directives.forms import (
    SERVICE_FIELDS,
    AtQuery,
    CancelForm,
    DirectiveForm,
    MeetingForm,
    PeriodQuery,
    UpdateForm,
)
from motcua.directives.models import Directive
from motcua.directives.xlsx import write_directives
from motcua.lib import uploads
from motcua.lib.formatting import format_count, format_date, format_datetime
from motcua.lib.http import BadParameter, ProblemPage, attempt, parameters
from motcua.lib.http import page_view as guard
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_lineage, unit_versions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows per page of the long lists: a fixed number of queries per page.
DIRECTIVES_PER_PAGE = 50
MEETINGS_PER_PAGE = 20
T = TypeVar("T")


PAGES = ProblemPage(
    back="directives:meetings",
    back_label=gettext_lazy("Back to the meetings"),
    not_found_title=gettext_lazy("Not found"),
    not_found_message=gettext_lazy(
        "There is no such meeting or directive among those you may see."
    ),
)
page_view = guard(PAGES, not_found=(NotFound, Http404))


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _local(moment: datetime | None) -> str:
    return format_datetime(moment.astimezone(LOCAL_TZ)) if moment else ""


# -- parameters ----------------------------------------------------------------------------


def _unit(request: HttpRequest) -> AdministrativeUnit:
    """``unit`` (a code; its newest version), else the user's top unit; in scope or 404."""
    user = _user(request)
    code = request.GET.get("unit", "").strip()
    if code:
        versions = list(unit_versions(code))
        if not versions:
            # The same answer as a unit out of scope: missing and not yours look alike.
            raise NotFound(_("no such unit"))
        # A reused code (01840 before and after 01/07/2025): the newest version the user sees.
        visible = [v for v in versions if access.user_may_view_unit(user, v)]
        unit = (visible or versions)[-1]
    else:
        found = access.default_unit(user)
        if found is None:
            raise NotFound(_("no units"))
        unit = found
    if not access.user_may_view_unit(user, unit):
        raise NotFound(_("no such unit"))
    return unit


def _page(request: HttpRequest, items: Any, per_page: int) -> tuple[Page[Any], dict[str, str]]:
    """One page of ``items`` (``page``: a number; anything else gives the first or last
    page) and the page links' labels."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return page, {
        "query": urlencode(params, safe="/:"),
        "number": format_count(page.number),
        "count": format_count(paginator.num_pages),
    }


def _at(request: HttpRequest) -> tuple[datetime, str]:
    """``at`` (dd/mm/yyyy HH:MM, Vietnam time), else now; and the text given."""
    at = parameters(AtQuery(request.GET))["at"]
    return (at, request.GET.get("at", "").strip()) if at else (timezone.now(), "")


def _period(request: HttpRequest, at: datetime) -> Period:
    """``from`` and ``to`` (dd/mm/yyyy); by default the year of ``at`` up to its day."""
    today = at.astimezone(LOCAL_TZ).date()
    days = {name: day for name, day in parameters(PeriodQuery(request.GET)).items() if day}
    start = days.get("from", date(today.year, 1, 1))
    end = days.get("to", today)
    if end < start:
        raise BadParameter(
            _("to: the period ends on %(end)s, before it starts on %(start)s")
            % {"end": format_date(end), "start": format_date(start)}
        )
    return Period(start, end)


def _status(request: HttpRequest) -> DirectiveStatus | None:
    text = request.GET.get("status", "").strip()
    if not text:
        return None
    try:
        return DirectiveStatus(text)
    except ValueError:
        raise BadParameter(
            _("status: %(value)s is not one of %(allowed)s")
            % {"value": text, "allowed": ", ".join(s.value for s in DirectiveStatus)}
        ) from None


# -- presentation --------------------------------------------------------------------------


def directive_row(directive: Directive, at: datetime) -> dict[str, Any]:
    state = selectors.timeliness(directive, at)
    return {
        "pk": directive.pk,
        "url": reverse("directives:directive", args=[directive.pk]),
        "number": directive.number,
        "meeting": directive.meeting,
        "meeting_day": format_date(directive.meeting.held_on),
        "text": directive.text,
        "assignee": directive.agency.name if directive.agency else directive.unit.name,
        "head": directive.head_name,
        "deadline": _local(directive.deadline),
        "status": DirectiveStatus(directive.status).label,
        "status_key": directive.status,
        "completed": _local(directive.completed_at),
        "timeliness": state.label,
        "timeliness_key": state.value,
    }


def _query(**params: str) -> str:
    return urlencode({k: v for k, v in params.items() if v}, safe="/:")


def _attempt(form: forms.BaseForm, write: Callable[[], T], fallback: str | None = None) -> T | None:
    """A directives write; its refusal shown next to the form's field (``SERVICE_FIELDS``)."""
    return attempt(form, write, refusals=DirectiveError, aliases=SERVICE_FIELDS, fallback=fallback)


def _list_context(
    user: User,
    unit: AdministrativeUnit,
    rows: list[Any],
    page: Page[Any],
    pages: dict[str, str],
) -> dict[str, Any]:
    """What both list pages show: the unit filter (_unit_filter.html), the rows, the pager."""
    return {
        "unit": unit,
        "units": access.user_units(user),
        "rows": rows,
        "page": page,
        "pages": pages,
    }


# -- meetings ------------------------------------------------------------------------------


@page_view
def meetings_page(request: HttpRequest) -> HttpResponse:
    """The meetings of a unit's committees (and of the units below it), newest first."""
    user = _user(request)
    unit = _unit(request)
    at, at_text = _at(request)
    # A page's meetings with their conclusions in two queries, not one per meeting.
    meetings = (
        access.meeting_list_for_user(user)
        .filter(unit__in=unit_lineage(unit).values("pk"))
        .prefetch_related(Prefetch("directives", Directive.objects.order_by("number")))
        .order_by("-held_on", "-pk")
    )
    page, pages = _page(request, meetings, MEETINGS_PER_PAGE)
    rows = []
    for meeting in page.object_list:
        conclusions = [
            selectors.Conclusion(d, selectors.timeliness(d, at)) for d in meeting.directives.all()
        ]
        summary = selectors.conclusions_summary(conclusions)
        rows.append(
            {
                "meeting": meeting,
                "url": reverse("directives:meeting", args=[meeting.pk]),
                "day": format_date(meeting.held_on),
                "count": format_count(len(conclusions)),
                "done": format_count(summary[Timeliness.ON_TIME] + summary[Timeliness.LATE]),
                "overdue": format_count(summary[Timeliness.OVERDUE]),
            }
        )
    context = {
        **_list_context(user, unit, rows, page, pages),
        "at_text": at_text,
        "may_create": bool(access.manageable_units(user)),
        "query": _query(unit=unit.code, at=at_text),
    }
    return render(request, "directives/meetings.html", context)


@page_view
def meeting_create_page(request: HttpRequest) -> HttpResponse:
    """Record a meeting (leaders and steering-committee members of the unit)."""
    user = _user(request)
    units = access.manageable_units(user)
    if not units:
        raise NotFound(_("no unit to record meetings of"))
    form = MeetingForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            meeting = _attempt(
                form,
                lambda: services.meeting_create(
                    actor=user,
                    unit=form.unit_chosen(),
                    body=form.cleaned_data["body"],
                    title=form.cleaned_data["title"],
                    held_on=form.cleaned_data["held_on"],
                    chair=form.cleaned_data["chair"],
                    participants=form.cleaned_data["participants"],
                    agenda=form.cleaned_data["agenda"],
                    minutes=form.cleaned_data["minutes"],
                ),
            )
            if meeting is not None:
                return redirect("directives:meeting", meeting.pk)
        status = 400
    return render(request, "directives/meeting_form.html", {"form": form}, status=status)


@page_view
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting and its conclusions with where each stands."""
    user = _user(request)
    meeting = access.meeting_get_for_user(user=user, meeting_id=pk)
    at, at_text = _at(request)
    conclusions = selectors.meeting_conclusions(meeting, at=at)
    summary = selectors.conclusions_summary(conclusions)
    context = {
        "meeting": meeting,
        "day": format_date(meeting.held_on),
        "rows": [directive_row(item.directive, at) for item in conclusions],
        "summary": [
            {"key": key.value, "label": key.label, "count": format_count(count)}
            for key, count in summary.items()
        ],
        "at": _local(at),
        "may_manage": access.user_may_manage(user, meeting.unit),
    }
    return render(request, "directives/meeting.html", context)


# -- directives ----------------------------------------------------------------------------


@page_view
def directive_create_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a conclusion to a meeting: text, assignee, responsible head, deadline."""
    user = _user(request)
    meeting = access.meeting_get_for_user(user=user, meeting_id=pk)
    if not access.user_may_manage(user, meeting.unit):
        raise NotFound(_("no such meeting"))
    form = DirectiveForm(request.POST or None, meeting=meeting)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit, agency = form.assignee_chosen()
            directive = _attempt(
                form,
                lambda: services.directive_create(
                    actor=user,
                    meeting=meeting,
                    text=form.cleaned_data["text"],
                    unit=unit,
                    agency=agency,
                    head_name=form.cleaned_data["head_name"],
                    head_user=form.cleaned_data["head_user"],
                    working_days=form.cleaned_data["working_days"],
                    deadline_day=form.cleaned_data["deadline"],
                ),
                fallback="deadline",
            )
            if directive is not None:
                return redirect("directives:directive", directive.pk)
        status = 400
    context = {"form": form, "meeting": meeting, "day": format_date(meeting.held_on)}
    return render(request, "directives/directive_form.html", context, status=status)


def _directive_context(
    request: HttpRequest,
    directive: Directive,
    *,
    update_form: UpdateForm | None = None,
    cancel_form: CancelForm | None = None,
) -> dict[str, Any]:
    user = _user(request)
    at = timezone.now()
    active = directive.status in ACTIVE
    may_report = active and access.user_may_report(user, directive)
    may_cancel = active and access.user_may_manage(user, directive.meeting.unit)
    meeting_visible = access.meeting_list_for_user(user).filter(pk=directive.meeting_id).exists()
    timeline = [
        {
            "at": _local(update.at),
            "author": update.author_name,
            "from": DirectiveStatus(update.from_status).label,
            "to": DirectiveStatus(update.to_status).label,
            "note": update.note,
            "evidence_name": update.evidence_name,
            "evidence_url": reverse("directives:evidence", args=[directive.pk, update.pk])
            if update.evidence
            else "",
        }
        for update in directive.updates.order_by("at", "pk")
    ]
    return {
        "directive": directive,
        "row": directive_row(directive, at),
        "meeting_url": reverse("directives:meeting", args=[directive.meeting_id])
        if meeting_visible
        else "",
        "created": _local(directive.created_at),
        "timeline": timeline,
        "update_form": update_form
        if update_form is not None
        else (UpdateForm(directive=directive) if may_report else None),
        "cancel_form": cancel_form
        if cancel_form is not None
        else (CancelForm(directive=directive) if may_cancel else None),
    }


def _directive_refused(request: HttpRequest, directive: Directive, **bound: Any) -> HttpResponse:
    """The directive's page again (400) with the refused form and its errors."""
    directive.refresh_from_db()
    context = _directive_context(request, directive, **bound)
    return render(request, "directives/directive.html", context, status=400)


@page_view
def directive_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A directive, its timeline of updates, and the forms to update or cancel it."""
    directive = access.directive_get_for_user(user=_user(request), directive_id=pk)
    return render(request, "directives/directive.html", _directive_context(request, directive))


@page_view
@require_POST
def directive_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    directive = access.directive_get_for_user(user=user, directive_id=pk)
    form = UpdateForm(request.POST, request.FILES, directive=directive)
    if form.is_valid():
        done = _attempt(
            form,
            lambda: services.directive_update(
                actor=user,
                directive_id=directive.pk,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
                evidence=form.cleaned_data["evidence"],
            ),
        )
        if done is not None:
            return redirect("directives:directive", directive.pk)
    return _directive_refused(request, directive, update_form=form)


@page_view
@require_POST
def directive_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    directive = access.directive_get_for_user(user=user, directive_id=pk)
    form = CancelForm(request.POST, directive=directive)
    if form.is_valid():
        done = _attempt(
            form,
            lambda: services.directive_cancel(
                actor=user,
                directive_id=directive.pk,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
            fallback="reason",
        )
        if done is not None:
            return redirect("directives:directive", directive.pk)
    return _directive_refused(request, directive, cancel_form=form)


@page_view
def evidence_download(request: HttpRequest, pk: int, update_pk: int) -> HttpResponseBase:
    """An update's evidence file, to those who may see the directive."""
    directive = access.directive_get_for_user(user=_user(request), directive_id=pk)
    update = directive.updates.filter(pk=update_pk).exclude(evidence="").first()
    if update is None:
        raise NotFound(_("no such evidence"))
    # Served only when its bytes are those recorded at upload (lib.uploads.open_checked).
    response = uploads.checked_file_response(
        request,
        update.evidence,
        update.evidence_sha256,
        as_attachment=True,
        filename=update.evidence_name or str(update.evidence.name).rsplit("/", 1)[-1],
        content_type=update.evidence_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- lists ---------------------------------------------------------------------------------


def _list_page(request: HttpRequest, *, overdue: bool) -> HttpResponse:
    user = _user(request)
    unit = _unit(request)
    at, at_text = _at(request)
    status = None if overdue else _status(request)
    directives = selectors.directives_of_unit(unit, access.directive_list_for_user(user))
    if overdue:
        directives = selectors.directives_overdue(at=at, directives=directives)
    else:
        if status is not None:
            directives = directives.filter(status=status)
        directives = directives.order_by("deadline", "pk")
    page, pages = _page(request, directives, DIRECTIVES_PER_PAGE)
    rows = [directive_row(d, at) for d in page.object_list]
    context = {
        **_list_context(user, unit, rows, page, pages),
        "count": format_count(page.paginator.count),
        "overdue": overdue,
        "at": _local(at),
        "at_text": at_text,
        "statuses": [
            {"value": s.value, "label": s.label, "selected": "selected" if s == status else ""}
            for s in DirectiveStatus
        ],
        "export_query": _query(
            unit=unit.code,
            at=at_text,
            overdue="1" if overdue else "",
            status=status.value if status else "",
        ),
    }
    return render(request, "directives/directives.html", context)


@page_view
def directives_page(request: HttpRequest) -> HttpResponse:
    """The directives of a unit (its committees' and those assigned to it), by deadline."""
    return _list_page(request, overdue=False)


@page_view
def overdue_page(request: HttpRequest) -> HttpResponse:
    """Directives still to be done whose deadline has passed (at ``at``, else now)."""
    return _list_page(request, overdue=True)


@page_view
def on_time_page(request: HttpRequest) -> HttpResponse:
    """Completion on time per agency or unit of the directives due in a period."""
    user = _user(request)
    unit = _unit(request)
    at, at_text = _at(request)
    period = _period(request, at)
    directives = selectors.directives_of_unit(unit, access.directive_list_for_user(user))
    rows, total = selectors.completion_on_time(period, directives)

    def view(row: selectors.OnTimeRow) -> dict[str, str]:
        return {
            "label": row.label,
            "key": row.key,
            "due": format_count(row.due),
            "on_time": format_count(row.on_time),
            "late": format_count(row.late),
            "not_done": format_count(row.not_done),
            "text": row.text,
        }

    context = {
        "unit": unit,
        "units": access.user_units(user),
        "period": {"from": format_date(period.start), "to": format_date(period.end)},
        "rows": [view(r) for r in rows],
        "total": view(total),
        "at_text": at_text,
    }
    return render(request, "directives/on_time.html", context)


@page_view
def export_view(request: HttpRequest) -> HttpResponseBase:
    """The directives of a unit (optionally only overdue ones, or of a status) as XLSX."""
    user = _user(request)
    unit = _unit(request)
    at, _at_text = _at(request)
    directives = selectors.directives_of_unit(unit, access.directive_list_for_user(user))
    if request.GET.get("overdue"):
        directives = selectors.directives_overdue(at=at, directives=directives)
    else:
        status = _status(request)
        if status is not None:
            directives = directives.filter(status=status)
        directives = directives.order_by("meeting__held_on", "meeting_id", "number")
    stream = io.BytesIO()
    write_directives(stream, directives, scope=unit.name, at=at)
    stream.seek(0)
    day = at.astimezone(LOCAL_TZ).strftime("%Y%m%d")
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"ket-luan-chi-dao-{unit.code}-{day}.xlsx",
        content_type=XLSX,
    )
