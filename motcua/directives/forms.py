"""The pages' forms: they parse what people type; the services decide what is allowed.

A service's refusal (directives.errors, naming its field) is put next to that field by
``lib.http.attempt`` (``SERVICE_FIELDS`` for the names that differ), so every message appears
where the mistake is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.directives.choices import ALLOWED, DirectiveStatus
from motcua.directives.models import Directive, Meeting
from motcua.lib.http import DayParameter, MomentParameter
from motcua.lib.parsing import parse_date
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_lineage, valid_on

TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 80})


class AtQuery(forms.Form):
    """The lists' ``at`` parameter: the moment deadlines are judged at (now when empty)."""

    at = MomentParameter("at")


# The overdue-and-done page's ``from`` and ``to`` (a keyword cannot name a class attribute).
PeriodQuery = type(
    "PeriodQuery", (forms.Form,), {"from": DayParameter("from"), "to": DayParameter("to")}
)


# The services' field names that the forms call otherwise.
SERVICE_FIELDS = {"deadline_day": "deadline"}


def _date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise forms.ValidationError(
            _("%(value)s is not a date (dd/mm/yyyy)") % {"value": value}, code="invalid"
        ) from None


class MeetingForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Unit"))
    body = forms.CharField(label=gettext_lazy("Committee"), max_length=300)
    title = forms.CharField(label=gettext_lazy("Subject"), max_length=500)
    held_on = forms.CharField(
        label=gettext_lazy("Date (dd/mm/yyyy)"),
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 12}),
    )
    chair = forms.CharField(label=gettext_lazy("Chaired by"), max_length=300)
    participants = forms.CharField(
        label=gettext_lazy("Participants"), required=False, widget=TEXTAREA
    )
    agenda = forms.CharField(label=gettext_lazy("Agenda"), required=False, widget=TEXTAREA)
    minutes = forms.CharField(label=gettext_lazy("Minutes"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, units: list[AdministrativeUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = [(str(u.pk), f"{u.name} ({u.code})") for u in units]  # type: ignore[attr-defined]

    def clean_held_on(self) -> date | None:
        return _date(self.cleaned_data.get("held_on", ""), "held_on")

    def unit_chosen(self) -> AdministrativeUnit:
        return self.units[self.cleaned_data["unit"]]


def assignee_choices(meeting: Meeting) -> list[tuple[str, str]]:
    """The committee's unit and the units below it (not villages), each followed by its
    agencies, as they were on the meeting's day."""
    day = meeting.held_on
    units = (
        unit_lineage(meeting.unit)
        .filter(valid_on(day))
        .exclude(level=UnitLevel.VILLAGE)
        .order_by("code")
    )
    agencies: dict[int, list[Agency]] = {}
    for agency in Agency.objects.filter(valid_on(day), unit__in=units).order_by("code"):
        agencies.setdefault(agency.unit_id, []).append(agency)
    ordered = sorted(units, key=lambda u: (u.pk != meeting.unit_id, u.code))
    choices = []
    for unit in ordered:
        choices.append((f"unit:{unit.pk}", f"{unit.name} ({unit.code})"))
        for agency in agencies.get(unit.pk, []):
            choices.append((f"agency:{agency.pk}", f"— {agency.name}"))
    return choices


class DirectiveForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Conclusion"), widget=TEXTAREA)
    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to (agency or unit)"))
    head_name = forms.CharField(
        label=gettext_lazy("Responsible head (name, position)"), max_length=200
    )
    head_user = forms.CharField(
        label=gettext_lazy("Responsible head's account (user name, optional)"),
        max_length=150,
        required=False,
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("Deadline: working days after the meeting"),
        required=False,
        min_value=1,
        max_value=500,
    )
    deadline = forms.CharField(
        label=gettext_lazy("or deadline date (dd/mm/yyyy)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 12}),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["assignee"].choices = assignee_choices(meeting)  # type: ignore[attr-defined]

    def clean_head_user(self) -> User | None:
        username = self.cleaned_data.get("head_user", "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("there is no active account %(name)s") % {"name": username}, code="invalid"
            )
        return user

    def clean_deadline(self) -> date | None:
        return _date(self.cleaned_data.get("deadline", ""), "deadline")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days, day = data.get("working_days"), data.get("deadline")
        if "working_days" in data and "deadline" in data and (days is None) == (day is None):
            self.add_error(
                "working_days",
                _("give the deadline either as a number of working days or as a date, not both"),
            )
        return data

    def assignee_chosen(self) -> tuple[AdministrativeUnit | None, Agency | None]:
        kind, _sep, pk = self.cleaned_data["assignee"].partition(":")
        if kind == "agency":
            return None, Agency.objects.select_related("unit").get(pk=int(pk))
        return AdministrativeUnit.objects.get(pk=int(pk)), None


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"))
    note = forms.CharField(label=gettext_lazy("What was done"), widget=TEXTAREA)
    evidence = forms.FileField(
        label=gettext_lazy("Evidence (PDF, JPEG or PNG, optional)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED[DirectiveStatus(directive.status)]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in DirectiveStatus if status in allowed
        ]
        self.fields["version"].initial = directive.version


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is cancelled"), widget=TEXTAREA)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = directive.version
