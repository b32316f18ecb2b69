"""The steering committee's pages: a unit's indicators with targets and history, entering a
value, importing a file, and the Project 06 working groups.

Sign-in required; a unit is shown only to those ``steering.access`` lets see it, and a unit out
of scope answers exactly like a missing one (404, same message, house style R4). Bad query
parameters answer 400 naming the parameter; bad form input is shown next to its field and
changes nothing.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.lib.formatting import format_date, format_datetime, format_number
from motcua.lib.http import DayParameter, NotVisible, ProblemPage, parameters
from motcua.lib.http import page_view as guard
from motcua.steering.access import (
    steering_default_unit,
    steering_units,
    user_may_record_indicators,
    user_may_view_steering,
)
from motcua.steering.choices import GroupLevel
from motcua.steering.errors import ImportRefused, SteeringError
from motcua.steering.fileformat import COLUMNS, OPTIONAL_COLUMNS, write_template
from motcua.steering.forms import IndicatorImportForm, IndicatorValueForm
from motcua.steering.models import IndicatorDefinition
from motcua.steering.selectors import (
    IndicatorRow,
    indicator_table,
    unit_by_code,
    working_group_counts,
    working_groups_of,
)
from motcua.steering.services import indicator_value_record, indicator_values_import
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import UnitNotFound

GROUPS_PER_PAGE = 20


class OnQuery(forms.Form):
    """The pages' ``on`` parameter: the day the indicators are read as of (today when empty)."""

    on = DayParameter("on")


PAGES = ProblemPage(
    back="steering:indicators",
    back_label=gettext_lazy("Back to the indicators"),
    not_found_title=gettext_lazy("Unit not found"),
)
page_view = guard(PAGES)


# -- parsing --------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def parse_on(request: HttpRequest) -> date:
    """``on``: the day the indicators are read as of (dd/mm/yyyy); today by default."""
    on: date | None = parameters(OnQuery(request.GET))["on"]
    return on or timezone.localdate()


def _not_visible(code: str) -> NotVisible:
    return NotVisible(
        _("There is no unit with code %(code)s among the units you may see.") % {"code": code}
    )


def parse_unit(request: HttpRequest, on: date) -> AdministrativeUnit:
    """``unit`` (a code, resolved for ``on``), or the user's top unit; visible or
    ``NotVisible``."""
    user = _user(request)
    code = request.GET.get("unit", "").strip()
    if not code:
        found = steering_default_unit(user)
        if found is None:
            raise NotVisible(_("You hold no role that shows the steering pages of any unit."))
        return found
    try:
        unit = unit_by_code(code, on)
    except UnitNotFound:
        raise _not_visible(code) from None
    if not user_may_view_steering(user, unit):
        raise _not_visible(code)
    return unit


def _unit_choices(user: User, *, record: bool) -> list[tuple[str, str]]:
    return [(u.code, f"{u.name} ({u.code})") for u in steering_units(user, record=record)]


def _indicators_url(unit: AdministrativeUnit, on: date | None = None) -> str:
    params = {"unit": unit.code}
    if on is not None:
        params["on"] = format_date(on)
    return f"{reverse('steering:indicators')}?{urlencode(params, safe='/')}"


# -- presentation ---------------------------------------------------------------------------


def _row(row: IndicatorRow) -> dict[str, Any]:
    definition = row.definition
    return {
        "code": definition.code,
        "name": definition.name,
        "computed": definition.is_computed,
        "rate": definition.is_rate,
        "unit_of_measure": definition.unit_of_measure,
        "numerator_label": definition.numerator_label,
        "denominator_label": definition.denominator_label,
        "source": definition.source,
        "frequency": definition.get_frequency_display(),
        "text": row.text,
        "numerator": format_number(row.numerator) if row.numerator is not None else "",
        "denominator": format_number(row.denominator) if row.denominator is not None else "",
        "percent": row.percent_text or "",
        "as_of": format_date(row.as_of) if row.as_of else "",
        "period_start": format_date(row.period_start) if row.period_start else "",
        "target": row.target_text,
        "target_ref": row.target.legal_ref if row.target else "",
        "met": row.met,
        "history": [
            {
                "period": (
                    f"{format_date(h.period_start)} – {format_date(h.period_end)}"
                    if h.period_start
                    else format_date(h.period_end)
                ),
                "text": h.text,
                "recorded_at": format_datetime(timezone.localtime(h.recorded_at)),
                "recorded_by": h.recorded_by,
                "note": h.note,
                "source_file": h.source_file,
                "superseded": h.superseded,
            }
            for h in row.history
        ],
    }


# -- pages ----------------------------------------------------------------------------------


@page_view
def indicators_page(request: HttpRequest) -> HttpResponse:
    """A unit's indicators as of a day: value, rate, the province's target, met or not, and
    the past values (corrections shown struck through)."""
    user = _user(request)
    on = parse_on(request)
    unit = parse_unit(request, on)
    rows = indicator_table(unit, on)
    context = {
        "unit": unit,
        "on": format_date(on),
        "year": str(on.year),
        "rows": [_row(r) for r in rows],
        "units": [
            {"code": code, "label": label, "selected": code == unit.code}
            for code, label in _unit_choices(user, record=False)
        ],
        "may_record": user_may_record_indicators(user, unit),
    }
    return render(request, "steering/indicators.html", context)


def _record_units(user: User) -> list[tuple[str, str]]:
    choices = _unit_choices(user, record=True)
    if not choices:
        raise NotVisible(_("You hold no role that lets you record indicators for any unit."))
    return choices


@page_view
def value_enter_page(request: HttpRequest) -> HttpResponse:
    """Enter a value (or correct one) of an entered indicator."""
    user = _user(request)
    choices = _record_units(user)
    if request.method == "POST":
        form = IndicatorValueForm(request.POST, units=choices)
        if form.is_valid():
            data = form.cleaned_data
            unit = _form_unit(form, user, data["period_end"])
            if unit is not None:
                try:
                    value = indicator_value_record(
                        definition=data["definition"],
                        unit=unit,
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        numerator=data["numerator"],
                        denominator=data["denominator"],
                        entered_by=user,
                        note=data["note"],
                    )
                except SteeringError as error:
                    for field, message in error.problems:
                        form.add_error(field if field in form.fields else None, message)
                else:
                    messages.success(
                        request,
                        _("Recorded: %(name)s, %(unit)s, as of %(date)s.")
                        % {
                            "name": value.definition.name,
                            "unit": unit.name,
                            "date": format_date(value.period_end),
                        },
                    )
                    return HttpResponseRedirect(_indicators_url(unit, value.period_end))
    else:
        initial: dict[str, Any] = {"unit": request.GET.get("unit", choices[0][0])}
        code = request.GET.get("definition", "")
        # A NUL is in no stored code (PostgreSQL would refuse the query): no definition.
        known = code and "\x00" not in code
        definition = IndicatorDefinition.objects.filter(code=code).first() if known else None
        if definition is not None and not definition.is_computed:
            initial["definition"] = definition.pk
        form = IndicatorValueForm(initial=initial, units=choices)
    return render(
        request,
        "steering/value_form.html",
        {"form": form, "back": _back(request, form)},
    )


def _form_unit(
    form: IndicatorValueForm | IndicatorImportForm, user: User, on: date
) -> AdministrativeUnit | None:
    """The unit the form's code names on ``on``, checked again against the user's scope (the
    choices already are); None with the error on the field otherwise."""
    code = form.cleaned_data["unit"]
    try:
        unit = unit_by_code(code, on)
    except UnitNotFound:
        unit = None
    if unit is None or not user_may_record_indicators(user, unit):
        form.add_error("unit", _not_visible(code).message)
        return None
    return unit


def _back(request: HttpRequest, form: IndicatorValueForm | IndicatorImportForm) -> str:
    code = form["unit"].value() or request.GET.get("unit", "")
    query = urlencode({"unit": code}) if code else ""
    return f"{reverse('steering:indicators')}?{query}" if query else reverse("steering:indicators")


@page_view
def value_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a .csv or .xlsx file of values: all recorded, or none with every bad row named."""
    user = _user(request)
    choices = _record_units(user)
    errors: list[str] = []
    report = None
    if request.method == "POST":
        form = IndicatorImportForm(request.POST, request.FILES, units=choices)
        if form.is_valid():
            unit = _form_unit(form, user, timezone.localdate())
            if unit is not None:
                upload = form.cleaned_data["file"]
                try:
                    report = indicator_values_import(
                        data=upload.read(), name=upload.name, unit=unit, entered_by=user
                    )
                except ImportRefused as error:
                    errors = [str(e) for e in error.errors]
                except SteeringError as error:
                    errors = [error.message]
    else:
        form = IndicatorImportForm(
            initial={"unit": request.GET.get("unit", choices[0][0])}, units=choices
        )
    context = {
        "form": form,
        "errors": errors,
        "report": (
            {
                "rows": format_number(report.rows),
                "recorded": format_number(report.recorded),
                "corrected": format_number(report.corrected),
                "unchanged": format_number(report.unchanged),
            }
            if report
            else None
        ),
        "columns": COLUMNS,
        "optional": OPTIONAL_COLUMNS,
        "codes": IndicatorDefinition.objects.exclude(kind="computed"),
        "back": _back(request, form),
    }
    return render(request, "steering/import.html", context)


@page_view
def groups_page(request: HttpRequest) -> HttpResponse:
    """The Project 06 working groups of a unit and below it: counts by level, then the groups
    with their members."""
    user = _user(request)
    on = parse_on(request)
    unit = parse_unit(request, on)
    counts = working_group_counts(unit)
    # 126 groups and 775 members for the city (seed): a page of groups at a time, each with
    # its members (a fixed number of queries per page).
    paginator = Paginator(working_groups_of(unit), GROUPS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    by_level: dict[str, list[Any]] = {level.value: [] for level in GroupLevel}
    for group in page.object_list:
        by_level[group.level].append(group)
    params = {k: v for k, v in request.GET.items() if k != "page"}
    context = {
        "unit": unit,
        "on": format_date(on),
        "counts": [
            {
                "label": c.label,
                "groups": format_number(c.groups),
                "members": format_number(c.members),
            }
            for c in counts
        ],
        "total_groups": format_number(sum(c.groups for c in counts)),
        "total_members": format_number(sum(c.members for c in counts)),
        "levels": [
            {"label": level.label, "key": level.value, "groups": by_level[level.value]}
            for level in GroupLevel
            if by_level[level.value]
        ],
        "units": [
            {"code": code, "label": label, "selected": code == unit.code}
            for code, label in _unit_choices(user, record=False)
        ],
        "page": page,
        "pages": {
            "query": urlencode(params, safe="/"),
            "number": format_number(page.number),
            "count": format_number(paginator.num_pages),
            "first": format_number(page.start_index()),
            "last": format_number(page.end_index()),
        },
    }
    return render(request, "steering/groups.html", context)


@page_view
def value_template(request: HttpRequest) -> HttpResponse:
    """An empty XLSX with the import file's header row."""
    buffer = io.BytesIO()
    write_template(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-chi-tieu.xlsx"'
    return response


def index_page(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("steering:indicators"))
