"""Forms of the citizen portal. Field errors are shown next to the field, in Vietnamese.

The applicant's fields are ``lib.validators``'s, the counter's too: one phone rule, one ID
number rule, one message each, and every text cut at its column's length."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.feedback.choices import RatingLevel
from motcua.lib import validators
from motcua.lib.formatting import format_date
from motcua.notify.forms import ChannelsField, channels_clean
from motcua.units.models import Agency


def _limit(name: str) -> int:
    return int(getattr(Dossier._meta.get_field(name), "max_length", 0) or 0)


class SubmissionForm(forms.Form):
    """The applicant and the receiving desk; the files are read per component by the view."""

    desk = forms.ModelChoiceField(
        label=_("Where to submit"),
        queryset=Agency.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the desks listed.")},
    )
    applicant_name = validators.TextField(label=_("Full name"), max_length=_limit("applicant_name"))
    applicant_id_number = validators.PersonalIdField(
        label=_("Personal ID number (12 digits)"), required=False
    )
    applicant_phone = validators.PhoneField(label=_("Phone number"))
    applicant_email = validators.EmailField(label=_("E-mail"), required=False)
    applicant_address = validators.TextField(
        label=_("Address"), max_length=_limit("applicant_address"), required=False
    )
    # How the applicant wants to hear about the dossier (notify: the agency's channels narrowed
    # to these).
    channels = ChannelsField()
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    # Filled from the signed-in citizen's verified identity and not editable then.
    VERIFIED_FIELDS = ("applicant_name", "applicant_id_number", "applicant_address")

    def __init__(self, *args: Any, desks: Any, identity: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = desks  # type: ignore[attr-defined]
        if identity is not None:
            # Disabled: Django ignores what the browser posts for them and keeps these values;
            # the view builds the applicant from the session's identity anyway.
            values = {
                "applicant_name": identity.name,
                "applicant_id_number": identity.id_number,
                "applicant_address": identity.address,
            }
            for name, value in values.items():
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.initial[name] = value
            self.fields["applicant_birth_date"] = forms.CharField(
                label=_("Date of birth"),
                required=False,
                disabled=True,
                initial=format_date(identity.birth_date) if identity.birth_date else "",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channels_clean(self, data)
        return data


class TrackForm(forms.Form):
    code = validators.TextField(label=_("Dossier code"), max_length=_limit("code"))
    secret = validators.TextField(
        label=_("Tracking secret"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = validators.TextField(
        label=_("or the phone number"), max_length=_limit("applicant_phone"), required=False
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the handling of your dossier?"),
        choices=RatingLevel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the ratings."),
            "invalid_choice": _("Choose one of the ratings."),
        },
    )
    comment = validators.TextField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
