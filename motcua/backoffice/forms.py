"""Forms of the staff pages: the applicant at the counter, and the dossier search and queue
filters. The checks and their Vietnamese messages are ``lib.validators``'s, the portal's too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.accounts.access import handlers
from motcua.accounts.models import User
from motcua.backoffice.selectors import ORDERINGS, SORTS, DossierFilter, Due
from motcua.catalog.models import Procedure
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.actions import Scan
from motcua.dossiers.choices import Channel, ResultForm, ReturnMethod, Status
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Component, Details
from motcua.lib import validators
from motcua.lib.http import BadParameter
from motcua.lib.paging import Ordering, read_cursor
from motcua.lib.parsing import parse_moment
from motcua.lib.widgets import QuickSelect
from motcua.notify.forms import ChannelsField, channels_clean
from motcua.payments.choices import PaymentMethod
from motcua.units.models import Agency


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
    # How the applicant wants to hear about the dossier: recorded for their phone and e-mail
    # (notify), the channels their contact cannot receive dropped.
    channels = ChannelsField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channels_clean(self, data)
        return data

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


COUNT_PARTS = ("originals", "certified", "photocopies")


class CounterForm(ReceiveForm):
    """The counter's whole POST: the applicant (:class:`ReceiveForm`) and, per requirement
    ``r``, its tick ``c<r.pk>``, its three counts and its scan. Only a ticked component's
    counts are read; a scan without its tick is refused. When valid, ``components`` and
    ``scans`` are what ``dossiers.actions.dossier_receive_with_scans`` takes."""

    def __init__(self, *args: Any, requirements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        self.components: list[Component] = []
        self.scans: list[Scan] = []
        for requirement in requirements:
            key = f"c{requirement.pk}"
            self.fields[key] = forms.CharField(required=False, strip=False)
            for part in COUNT_PARTS:
                # Read in clean() when ticked: an unticked row's counts are not looked at.
                self.fields[f"{key}_{part}"] = forms.CharField(required=False, strip=False)
            self.fields[f"{key}_file"] = forms.Field(required=False, widget=forms.FileInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for requirement in self.requirements:
            key = f"c{requirement.pk}"
            scan = data.get(f"{key}_file")
            if not data.get(key):
                if scan is not None:
                    self.add_error(f"{key}_file", gettext("tick the component to attach its scan"))
                continue
            originals, certified, copies = (self._count(f"{key}_{part}") for part in COUNT_PARTS)
            if scan is not None:
                self.scans.append(
                    Scan(len(self.components), scan, scan.name or "scan", f"{key}_file")
                )
            self.components.append(
                Component(
                    name=requirement.name,
                    originals=originals,
                    certified_copies=certified,
                    photocopies=copies,
                    # Not yet: the scan counts once digitised by the worker (digitise app).
                    digitised=False,
                )
            )
        return data

    def _count(self, name: str) -> int:
        text = str(self.data.get(name, "")).strip() or "0"
        if not text.isdigit() or int(text) > 99:
            self.add_error(name, gettext("a whole number from 0 to 99 is required"))
            return 0
        return int(text)

    def applicant(self) -> Applicant:
        """The applicant as the write path takes it (the form being valid)."""
        data = self.cleaned_data
        return Applicant(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            birth_date=data["applicant_birth_date"],
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=data["applicant_address"],
        )

    def unshown_fields(self) -> dict[str, str]:
        """A refusal naming a tick or a count goes above the form (``lib.http.add_form_error``
        aliases): only the applicant's fields and the scans show one next to them."""
        return {
            name: ""
            for requirement in self.requirements
            for name in (f"c{requirement.pk}", *(f"c{requirement.pk}_{p}" for p in COUNT_PARTS))
        }

    def errors_by_field(self) -> dict[str, str]:
        """The first message of each field; one above the form as ``general``."""
        return {
            ("general" if name == NON_FIELD_ERRORS else name): str(errors[0])
            for name, errors in self.errors.items()
        }


# A reason is printed on forms 02 and 03 and kept in the event chain: a page of text at most.
MAX_REASON = 2000


def _loose() -> forms.CharField:
    """A field read as typed (the page's choices and amounts are checked as sent)."""
    return forms.CharField(required=False, strip=False)


class ActionForm(forms.Form):
    """An action's fields on the dossier page (``fields``: those the action takes; the reason
    is always read), as ``dossiers.services`` wants them. The fields are checked in the order
    below; the page shows every refusal (:meth:`field_errors`), the API the first
    (:meth:`first_error`)."""

    to_agency = forms.CharField(required=False)
    assignee = forms.CharField(required=False)
    step = forms.CharField(required=False)
    amount = _loose()
    payment_method = _loose()
    payment_reference = forms.CharField(required=False)
    result_form = _loose()
    return_method = _loose()
    new_due_at = forms.CharField(required=False)
    signed_by = forms.CharField(required=False)
    reason = forms.CharField(required=False)

    def __init__(self, *args: Any, fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = {*fields, "reason"}
        if "payment_method" in fields:
            wanted.add("payment_reference")
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]

    @staticmethod
    def _within(text: str, limit: int, label: str) -> str:
        """A text refused (never silently cut) past its column's length."""
        if len(text) > limit:
            raise forms.ValidationError(validators.too_long_message(label, limit, len(text)))
        return text

    def clean_to_agency(self) -> Agency | None:
        code = self.cleaned_data["to_agency"]
        if not code:
            return None
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise forms.ValidationError(gettext("there is no agency %(code)s") % {"code": code})
        return agency

    def clean_assignee(self) -> User | None:
        name = self.cleaned_data["assignee"]
        if not name:
            return None
        person = handlers().filter(username=name).first()
        if person is None:
            raise forms.ValidationError(gettext("%(name)s is not an officer") % {"name": name})
        return person

    def clean_step(self) -> str:
        return self._within(self.cleaned_data["step"], 200, gettext("Step"))

    def clean_amount(self) -> int | None:
        raw = self.cleaned_data["amount"]
        if not raw.strip():
            return None
        text = raw.strip().replace(".", "").replace(" ", "")
        if not text.isdigit():
            raise forms.ValidationError(
                gettext("%(value)s is not an amount in đồng") % {"value": raw}
            )
        return int(text)

    def clean_payment_method(self) -> PaymentMethod | None:
        method = self.cleaned_data["payment_method"]
        if not method:
            return None
        if method not in PaymentMethod.values:
            raise forms.ValidationError(gettext("choose how it was paid"))
        return PaymentMethod(method)

    def clean_payment_reference(self) -> str:
        text = self.cleaned_data["payment_reference"]
        return self._within(text, 100, gettext("Receipt or transaction number"))

    def clean_result_form(self) -> ResultForm | None:
        value = self.cleaned_data["result_form"]
        if not value:
            return None
        if value not in ResultForm.values:
            raise forms.ValidationError(gettext("choose the form of the result"))
        return ResultForm(value)

    def clean_return_method(self) -> ReturnMethod | None:
        value = self.cleaned_data["return_method"]
        if not value:
            return None
        if value not in ReturnMethod.values:
            raise forms.ValidationError(gettext("choose how the result was returned"))
        return ReturnMethod(value)

    def clean_new_due_at(self) -> datetime | None:
        text = self.cleaned_data["new_due_at"]
        if not text:
            return None
        try:
            return parse_moment(text, LOCAL_TZ)
        except ValueError:
            raise forms.ValidationError(
                gettext("%(value)s is not a date and time (dd/mm/yyyy HH:MM)") % {"value": text}
            ) from None

    def clean_signed_by(self) -> str:
        return self._within(self.cleaned_data["signed_by"], 200, gettext("Signed by"))

    def clean_reason(self) -> str:
        return self._within(self.cleaned_data["reason"], MAX_REASON, gettext("Reason"))

    def field_errors(self) -> dict[str, str]:
        """The first message of each field at fault, in the fields' order: the page shows
        them all at once."""
        return {name: str(errors[0]) for name, errors in self.errors.items()}

    def first_error(self) -> InvalidInput:
        """The first field at fault (in the fields' order) as the write path's refusal."""
        name, message = next(iter(self.field_errors().items()))
        return InvalidInput(message, field=name)

    def details(self) -> tuple[Details, str]:
        """The action's details (only what was given, as before) and the reason."""
        data = self.cleaned_data
        always = {"step", "payment_reference", "signed_by"}
        values = {
            name: value
            for name, value in data.items()
            if name != "reason" and (name in always or value is not None)
        }
        return Details(**values), data["reason"]


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
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    procedure = forms.CharField(label=_("Procedure code"), required=False, max_length=40)
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=QuickSelect)
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_CHOICES, widget=QuickSelect)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=QuickSelect
    )
    # Where the page starts (motcua.lib.paging): a signed position, not a page number.
    cursor = forms.CharField(label="cursor", required=False, max_length=1000)

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sort = data.get("sort") if data.get("sort") in SORTS else self.default_sort
        try:
            data["position"] = read_cursor(data.get("cursor"), ORDERINGS[str(sort)])
        except BadParameter as error:
            self.add_error("cursor", error.message)
        return data

    def ordering(self) -> Ordering:
        """The keyset order of the valid form's sort."""
        return ORDERINGS[self.filters().sort]

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

    def query(self, **extra: str) -> dict[str, str]:
        """The valid parameters but the cursor, for the paging links."""
        data = getattr(self, "cleaned_data", {})
        kept = {
            name: str(data[name])
            for name in ("q", "status", "procedure", "channel", "due", "sort")
            if data.get(name)
        }
        return {**kept, **extra}
