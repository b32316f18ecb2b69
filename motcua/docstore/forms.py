"""The document store's forms: the search by ID number and the reuse button's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.docstore.selectors import DOCUMENT_ORDERING
from motcua.lib.http import BadParameter
from motcua.lib.paging import Cursor, read_cursor
from motcua.lib.validators import PersonalIdField


class SearchForm(forms.Form):
    """``?so=<ID number>`` (and the list's ``cursor``)."""

    so = PersonalIdField(label=gettext_lazy("Personal ID number"), required=False)
    cursor = forms.CharField(required=False, max_length=2000)

    def clean_cursor(self) -> Cursor | None:
        try:
            return read_cursor(self.cleaned_data.get("cursor"), DOCUMENT_ORDERING)
        except BadParameter as error:
            raise ValidationError(error.message) from None


def _whole_number(value: Any, label: str) -> int:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(_("%(field)s: choose one from the list.") % {"field": label})
    return int(text)


class ReuseForm(forms.Form):
    """The "Dùng lại" button: which document, for which component."""

    document = forms.CharField(required=False, max_length=20)
    component = forms.CharField(required=False, max_length=20)

    def clean_document(self) -> int:
        return _whole_number(self.cleaned_data.get("document"), _("Document"))

    def clean_component(self) -> int:
        return _whole_number(self.cleaned_data.get("component"), _("Component"))
