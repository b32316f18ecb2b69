"""The dashboard's query parameters, read by forms (``lib.http.parameters``).

Each form is one step of the pages' reading, in the order the pages check: the period, then
the unit (resolved for that period), then ``at`` or the figure and the row (``part``, which
belongs to the unit). A malformed parameter answers 400 naming it; a unit code that names no
unit, or a unit the user may not see, raises ``NotVisible`` (404) straight from the unit form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.core.metrics import Bucket, Period
from motcua.core.periods import parse_named_period
from motcua.dossiers.models import Dossier
from motcua.lib.formatting import format_date
from motcua.lib.http import DayParameter, MomentParameter, NotVisible, out_of_calendar
from motcua.lib.parsing import CALENDAR_FIRST, CALENDAR_LAST
from motcua.reports import dashboard
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import UnitNotFound


def cutoff_day() -> int:
    """The day a Decree 09/2019 reporting month closes on (settings, 15 by default)."""
    return int(getattr(settings, "MOTCUA_REPORTS", {}).get("CUTOFF_DAY", 15))


class _PeriodFields(forms.Form):
    period = forms.CharField(required=False)

    def _raw(self, name: str) -> str:
        return str(self.data.get(name, "")).strip()

    def clean_period(self) -> Period | None:
        """A named period (not with dates); with dates alone, both are needed: checked before
        either date is read, so a lone date names the missing one."""
        named = self.cleaned_data.get("period", "")
        start, end = self._raw("from"), self._raw("to")
        if not named:
            if (start or end) and not (start and end):
                missing = "to" if start else "from"
                self.add_error(
                    missing, _("%(name)s: both dates are needed, from and to") % {"name": missing}
                )
            return None
        if start or end:
            raise forms.ValidationError(
                _("period: give either a period or the dates from and to, not both")
            )
        try:
            found = parse_named_period(named, cutoff_day=cutoff_day())
        except ValueError:
            raise forms.ValidationError(
                _(
                    "period: %(value)s is not a period such as month:2024-05, quarter:2024-2, "
                    "half:2024, nine:2024 or year:2024"
                )
                % {"value": named}
            ) from None
        if found.start < CALENDAR_FIRST or found.end > CALENDAR_LAST:
            raise forms.ValidationError(out_of_calendar("period", named).message)
        return found

    def clean(self) -> dict[str, Any]:
        """``period`` becomes the period asked for: the named one, or ``from``–``to``, or None
        (the pages then open on ``dashboard.default_period``)."""
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        if first and last:
            if last < first:
                self.add_error(
                    "to",
                    _("to: the period ends on %(end)s, before it starts on %(start)s")
                    % {"end": format_date(last), "start": format_date(first)},
                )
            else:
                data["period"] = Period(first, last)
        return data


# ``period`` (a Decree 09/2019 period such as half:2024), or ``from`` and ``to`` (dd/mm/yyyy);
# a keyword cannot name a class attribute, hence ``type``.
PeriodQuery = type(
    "PeriodQuery", (_PeriodFields,), {"from": DayParameter("from"), "to": DayParameter("to")}
)


class UnitQuery(forms.Form):
    """``unit``: a code resolved for the period, else the user's top unit; in scope or
    ``NotVisible``."""

    unit = forms.CharField(required=False)

    def __init__(self, *args: Any, user: User, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.period = period

    def clean_unit(self) -> AdministrativeUnit:
        code = self.cleaned_data.get("unit", "")
        if code:
            try:
                unit = dashboard.unit_in_period(code, self.period)
            except UnitNotFound:
                # As for a unit out of scope: missing and not yours answer alike (404).
                raise NotVisible(
                    _("unit: there is no administrative unit with code %(code)s") % {"code": code},
                    field="unit",
                ) from None
        else:
            found = dashboard.default_unit(self.user)
            if found is None:
                raise NotVisible(
                    _("You hold no role that shows the figures of any unit."), field="unit"
                )
            unit = found
        if not dashboard.user_may_view(self.user, unit):
            raise NotVisible(
                _("You may not see the figures of %(unit)s (%(code)s).")
                % {"unit": unit.name, "code": unit.code},
                field="unit",
            )
        return unit


class AtQuery(forms.Form):
    """``at``: the moment of the end-of-day list (dd/mm/yyyy HH:MM, Vietnam time); now when
    empty."""

    at = MomentParameter("at")


_UNITS_PAGE = gettext_lazy("units: the page of the units is a whole number from 1")


class UnitsPageQuery(forms.Form):
    """``units``: the page of the units on the dashboard (its units side by side) and on the
    end-of-day page (1 when empty)."""

    units = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages={"invalid": _UNITS_PAGE, "min_value": _UNITS_PAGE, "max_value": _UNITS_PAGE},
    )


class FigureParameter(forms.Field):
    """``figure``, given once or more: figure names, comma-separated (a sum such as early +
    on time)."""

    widget = forms.MultipleHiddenInput  # every ``figure`` of the query, not only the last

    def to_python(self, value: Any) -> list[Bucket]:
        names = [name.strip() for item in value or [] for name in item.split(",") if name.strip()]
        if not names:
            raise forms.ValidationError(_("figure: which figure's dossiers to list is required"))
        figures = []
        for name in names:
            try:
                figures.append(Bucket(name))
            except ValueError:
                raise forms.ValidationError(
                    _("figure: %(value)s is not one of %(allowed)s")
                    % {"value": name, "allowed": ", ".join(b.value for b in Bucket)}
                ) from None
        return figures


class DrillQuery(forms.Form):
    """The list behind a number: ``figure`` (required) and ``part``, one row of the unit's
    side by side ("own" or a member unit's code; the whole unit when empty)."""

    figure = FigureParameter(required=False)
    part = forms.CharField(required=False)

    def __init__(self, *args: Any, unit: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean_part(self) -> QuerySet[Dossier] | None:
        part = self.cleaned_data.get("part", "")
        if not part:
            return None
        dossiers = dashboard.part_dossiers(self.unit, part)
        if dossiers is None:
            raise forms.ValidationError(
                _("part: %(value)s is not a row of the units side by side of %(unit)s")
                % {"value": part, "unit": self.unit.code}
            )
        return dossiers
