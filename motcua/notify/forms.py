"""The applicant's choice of channels, as the portal's and the counter's forms ask it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.notify.channels import phone_84
from motcua.notify.choices import Channel

CHANNEL_CHOICES = [(Channel.SMS, _("SMS")), (Channel.ZALO, _("Zalo")), (Channel.EMAIL, _("E-mail"))]


class ChannelsField(forms.MultipleChoiceField):
    """ "Notify me by": SMS, Zalo, e-mail, all ticked at first. Nothing ticked records no
    choice (every channel the desk uses applies: ``notify.selectors.preferred_channels``)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            label=_("Notify me by"),
            choices=CHANNEL_CHOICES,
            required=False,
            initial=[value for value, _label in CHANNEL_CHOICES],
            error_messages={"invalid_choice": _("Choose among SMS, Zalo and e-mail.")},
            **kwargs,  # type: ignore[arg-type]
        )


def mobile_or_empty(phone: str) -> str:
    """``phone`` when it is a Vietnamese mobile number (SMS and Zalo reach it), else ""."""
    return phone if phone and phone_84(phone) else ""


def channels_receivable(channels: Iterable[str], *, phone: str, email: str) -> list[str]:
    """The ticked channels the applicant's contact can receive: e-mail without an address, SMS
    and Zalo without a mobile number are dropped (the boxes are ticked by default, and a
    landline is a good phone number for the desk to call)."""
    mobile = mobile_or_empty(phone)
    return [channel for channel in channels if (email if channel == Channel.EMAIL else mobile)]


def channels_clean(form: forms.Form, data: dict[str, Any]) -> None:
    """``data["channels"]`` (a form's cleaned data with ``applicant_phone`` and
    ``applicant_email``) narrowed to what the contact can receive. A choice that leaves
    nothing, from an applicant who gave a contact, is refused naming the field: recorded as no
    choice, every channel of the desk would apply, the opposite of what was ticked."""
    chosen = data.get("channels", [])
    phone, email = data.get("applicant_phone", ""), data.get("applicant_email", "")
    data["channels"] = channels_receivable(chosen, phone=phone, email=email)
    if chosen and not data["channels"] and (phone or email):
        if Channel.EMAIL in chosen and not email:
            message = _("E-mail needs an e-mail address: enter one or tick SMS or Zalo.")
        else:
            message = _("SMS and Zalo need a mobile number: enter one or tick e-mail.")
        form.add_error("channels", message)
