"""The pages' forms: the register's filters, the certification form, revocation, the public
check. Types are parsed here; the rules (ID number, dates, names, the scan) are the service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.certification.choices import DocumentType
from motcua.certification.services import LIMITS

DATE_FORMATS = ["%d/%m/%Y"]


class RegisterFilters(forms.Form):
    """The register's query parameters: unit, type, year (all optional)."""

    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1)
    type = forms.ChoiceField(
        label=_("Document type"),
        required=False,
        choices=[("", _("All types")), *DocumentType.choices],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class CertifyForm(forms.Form):
    """What the clerk enters to certify a copy."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    scan = forms.FileField(label=_("Scan of the original (PDF, JPEG or PNG)"))
    requester_name = forms.CharField(
        label=_("Requester's full name"), max_length=LIMITS["requester_name"]
    )
    requester_id_number = forms.CharField(label=_("Requester's personal ID number"), max_length=20)
    original_name = forms.CharField(
        label=_("Name of the original paper"), max_length=LIMITS["original_name"]
    )
    original_number = forms.CharField(
        label=_("Number of the original"), max_length=LIMITS["original_number"], required=False
    )
    original_issuer = forms.CharField(label=_("Issued by"), max_length=LIMITS["original_issuer"])
    original_issued_on = forms.DateField(
        label=_("Date of issue (dd/mm/yyyy)"),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
    )
    dossier_code = forms.CharField(
        label=_("Dossier code (optional)"), max_length=40, required=False
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = units


class RevokeForm(forms.Form):
    """Why the copy is revoked (required)."""

    reason = forms.CharField(
        label=_("Reason for revocation"), max_length=LIMITS["reason"], widget=forms.Textarea
    )


class CheckForm(forms.Form):
    """The public check: a file, or its SHA-256 pasted."""

    file = forms.FileField(label=_("The file you received"), required=False)
    sha256 = forms.CharField(label=_("Or its SHA-256 hash"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("sha256") or "").strip():
            raise forms.ValidationError(_("Choose the file, or paste its SHA-256 hash."))
        return data
