"""Forms of the steering pages: they parse what people type (dd/mm/yyyy dates, 25.328 counts);
the rules live in ``steering.services``, whose refusals the views put next to their fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from motcua.lib.parsing import parse_cell_date
from motcua.steering.fileformat import parse_count
from motcua.steering.models import IndicatorDefinition
from motcua.steering.services import not_enterable_message

# An indicator file is a few hundred rows; anything this large is not one.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class DateField(forms.CharField):
    """A date typed as dd/mm/yyyy (also d/m/yyyy or yyyy-mm-dd)."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_cell_date(text)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


class CountField(forms.CharField):
    """A whole number typed as 25328 or 25.328."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_count(text)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


class IndicatorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class IndicatorValueForm(forms.Form):
    """One value of an entered indicator (a correction when the period already has one)."""

    # A unit code: the view resolves it for the period's end (01840 names the old ward in 2024
    # and the merged one from 01/07/2025) and checks the user's scope again.
    unit = forms.ChoiceField(label=_("Unit"))
    definition = IndicatorChoiceField(
        label=_("Indicator"), queryset=IndicatorDefinition.objects.all()
    )
    period_start = DateField(
        label=_("Period from"), required=False, help_text=_("dd/mm/yyyy; may be left empty")
    )
    period_end = DateField(label=_("As of (end of the period)"), help_text=_("dd/mm/yyyy"))
    numerator = CountField(label=_("Numerator"), help_text=_("for example 1.459"))
    denominator = CountField(
        label=_("Denominator"),
        required=False,
        help_text=_("rates only, for example 24.007; leave empty for a count"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = list(units)
        # Only entered indicators are offered; a computed one sent anyway is refused by name.
        definition_field = self.fields["definition"]
        definition_field.widget.choices = [("", "---------")] + [
            (d.pk, d.name) for d in IndicatorDefinition.objects.all() if not d.is_computed
        ]

    def clean_definition(self) -> IndicatorDefinition:
        definition: IndicatorDefinition = self.cleaned_data["definition"]
        if definition.is_computed:
            raise ValidationError(not_enterable_message(definition), code="computed")
        return definition


class IndicatorImportForm(forms.Form):
    """A .csv or .xlsx file of values for a unit and the units below it."""

    unit = forms.ChoiceField(label=_("Unit"))
    file = forms.FileField(
        label=_("File"), help_text=_(".xlsx or .csv (UTF-8), columns as in the guide below")
    )

    def __init__(self, *args: Any, units: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = list(units)

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(
                _("%(name)s: use a .csv or .xlsx file"), code="kind", params={"name": name}
            )
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("%(name)s is larger than 5 MB: an indicator file is much smaller"),
                code="size",
                params={"name": name},
            )
        return upload
