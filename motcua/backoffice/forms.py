"""Forms of the staff pages: the applicant at the counter, and the dossier search and queue
filters. The checks and their Vietnamese messages are ``lib.validators``'s, the portal's too."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.backoffice.selectors import SORTS, DossierFilter, Due
from motcua.catalog.models import Procedure
from motcua.dossiers.choices import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.lib import validators


def _limit(name: str) -> int:
    """The column's length: one limit for the form, the browser and the database."""
    return int(getattr(Dossier._meta.get_field(name), "max_length", 0) or 0)


class ReceiveForm(forms.Form):
    """The applicant and the dossier's facts at the counter (the components are read per
    requirement by the view). Field names are the page's and the write path's."""

    applicant_name = validators.TextField(label=_("Full name"), max_length=_limit("applicant_name"))
    applicant_id_number = validators.PersonalIdField(
        label=_("Personal ID number (12 digits)"), required=False
    )
    applicant_birth_date = validators.BirthDateField(label=_("Date of birth"), required=False)
    applicant_phone = validators.PhoneField(label=_("Phone"), required=False)
    applicant_email = validators.EmailField(label=_("E-mail"), required=False)
    applicant_address = validators.TextField(
        label=_("Address"), max_length=_limit("applicant_address"), required=False
    )
    summary = validators.TextField(
        label=_("Matter requested"), max_length=_limit("summary"), required=False
    )
    sets_count = validators.SetsCountField(label=_("Number of sets"), required=False)

    @classmethod
    def limits(cls) -> dict[str, int]:
        """Each text field's length, for the page's ``maxlength`` attributes."""
        return {
            name: int(getattr(field, "max_length", 0))
            for name, field in cls.base_fields.items()
            if getattr(field, "max_length", None)
        }

    def errors_by_field(self) -> dict[str, str]:
        """The first message of each field, as the page shows it under the field."""
        return {name: str(errors[0]) for name, errors in self.errors.items()}


# -- search and the queue ------------------------------------------------------------------


DUE_CHOICES = [
    ("", _("Any due date")),
    (Due.TODAY, _("Due today")),
    (Due.NEXT, _("Due next working day")),
    (Due.OVERDUE, _("Overdue")),
]

SORT_CHOICES = [
    ("received", _("Received, newest first")),
    ("due", _("Due, soonest first")),
    ("code", _("Dossier code")),
]
MAX_QUERY = 200


class DossierFilterForm(forms.Form):
    """The search page's and the queue's parameters (GET). Bad values are field errors the
    page shows with a 400, never an exception; nothing is searched until the form is valid."""

    q = forms.CharField(
        label=_("Code, name, phone or ID number"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": str(MAX_QUERY), "class": "full-width"}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    procedure = forms.CharField(label=_("Procedure code"), required=False, max_length=40)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_CHOICES)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=1_000_000)

    def __init__(self, *args: Any, default_sort: str = "received", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_sort = default_sort
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]  # type: ignore[attr-defined]
        self.fields["channel"].choices = [("", _("Any channel")), *Channel.choices]  # type: ignore[attr-defined]
        for field in self.fields.values():
            label = str(field.label)
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": gettext("%(field)s: “%(value)s” is not one of the choices.")
                .replace("%(field)s", label)
                .replace("%(value)s", "%(value).40s"),
                "invalid": gettext("%(field)s: enter a whole number.") % {"field": label},
                "min_value": gettext("%(field)s: enter a whole number.") % {"field": label},
                "max_value": gettext("%(field)s: enter a whole number.") % {"field": label},
                "max_length": gettext("%(field)s: at most %(limit)s characters.")
                .replace("%(field)s", label)
                .replace("%(limit)s", "%(limit_value)d"),
            }

    def clean_q(self) -> str:
        return " ".join(str(self.cleaned_data.get("q") or "").split())

    def clean_procedure(self) -> str:
        code = str(self.cleaned_data.get("procedure") or "").strip()
        if code and not Procedure.objects.filter(code=code).exists():
            raise forms.ValidationError(
                gettext("Procedure code: there is no procedure %(code)s.") % {"code": code}
            )
        return code

    def clean_sort(self) -> str:
        return str(self.cleaned_data.get("sort") or self.default_sort)

    def filters(self) -> DossierFilter:
        """The valid parameters for ``backoffice.selectors.dossier_filter``."""
        data = self.cleaned_data
        return DossierFilter(
            q=data["q"],
            status=data["status"],
            procedure=data["procedure"],
            channel=data["channel"],
            due=data["due"],
            sort=data["sort"] if data["sort"] in SORTS else self.default_sort,
        )

    def is_filtered(self) -> bool:
        data = self.cleaned_data
        return any(data.get(name) for name in ("q", "status", "procedure", "channel", "due"))

    def errors_by_field(self) -> dict[str, str]:
        return {name: str(errors[0]) for name, errors in self.errors.items()}

    def query_without_page(self, **extra: str) -> str:
        """The valid parameters as a query string, for the paging links."""
        data = getattr(self, "cleaned_data", {})
        kept = {
            name: data[name]
            for name in ("q", "status", "procedure", "channel", "due", "sort")
            if data.get(name)
        }
        return urlencode({**kept, **extra})
