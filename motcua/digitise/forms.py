"""The clerk's confirmation form: one optional text field per suggestion kind; the service
checks each value by its pattern and names the field it refuses."""

from __future__ import annotations

from typing import Any

from django import forms

from motcua.digitise.choices import SuggestionKind
from motcua.digitise.services import CONFIRMED_MAX


class ConfirmForm(forms.Form):
    """Values to confirm: blank ones are left out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in SuggestionKind:
            # The length check is the service's, so its message names the field; here the
            # browser is only kept from sending a page of text.
            self.fields[kind.value] = forms.CharField(
                label=kind.label,
                required=False,
                strip=True,
                widget=forms.TextInput(attrs={"maxlength": CONFIRMED_MAX[kind] * 4}),
            )
