"""Form fields for the data people type at the counter and on the portal.

One home for the checks and the Vietnamese messages both entry points show: a phone number
and a personal ID number are checked by the pure rules of ``core.identity`` (§8), a text
field is cut at its column's length, a birth date is a past date, a number of sets is a
positive whole number. Every message names the field, so it reads the same next to the
field and in a summary at the top of the form. A value quoted back is shortened, so a
10.000-character paste never makes a 10.000-character message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.identity import IdWarning, InvalidValue, check_personal_id, normalise_phone
from motcua.lib.formatting import format_date, format_number
from motcua.lib.parsing import parse_date

# The oldest birth date accepted: anything earlier is a typing mistake (01/01/1090…).
EARLIEST_BIRTH = date(1900, 1, 1)
# Form 01 records the number of sets handed in (§2.1, "Số lượng hồ sơ … (bộ)"); the write
# path (dossiers.services.dossier_create) allows 1 to 50.
MAX_SETS = 50
QUOTE_LENGTH = 40


def quoted(value: object) -> str:
    """A value as a message repeats it: at most :data:`QUOTE_LENGTH` characters."""
    text = str(value)
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def too_long_message(label: str, limit: int, count: int) -> str:
    """The message of a text longer than its column, naming the field and both lengths."""
    return _("%(field)s: at most %(limit)s characters (%(count)s were entered).") % {
        "field": label,
        "limit": format_number(limit),
        "count": format_number(count),
    }


def _label(field: forms.Field) -> str:
    return str(field.label or "")


class _Named:
    """Required and too-long messages that name the field (Django's say "This field")."""

    max_length: int | None
    label: Any

    def _check_length(self, value: str) -> None:
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                too_long_message(_label(self), self.max_length, len(value)),  # type: ignore[arg-type]
                code="max_length",
            )

    def _required_message(self) -> str:
        return _("%(field)s: this field is required.") % {"field": _label(self)}  # type: ignore[arg-type]


class TextField(_Named, forms.CharField):
    """A text field limited to ``max_length`` characters (its column's), messages naming it.

    The browser is told the limit too (``maxlength``), but the server checks it: a form
    posted by a script or with the attribute removed gets the same message.
    """

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Django's own validator would answer first with its own wording.
        self.max_length = max_length
        self.widget.attrs["maxlength"] = str(max_length)

    def clean(self, value: Any) -> Any:
        text = self.to_python(value) or ""
        if "\x00" in text:
            # Before any other check, so no message quotes the NUL back:
            # PostgreSQL refuses it in text, SQLite would store it.
            raise ValidationError(
                _("%(field)s: null characters are not allowed.") % {"field": _label(self)},
                code="null_characters_not_allowed",
            )
        if text in self.empty_values and self.required:
            raise ValidationError(self._required_message(), code="required")
        self._check_length(text)
        return super().clean(value)


class PhoneField(TextField):
    """A Vietnamese phone number, mobile or landline (``core.identity.normalise_phone``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            try:
                normalise_phone(value)
            except InvalidValue:
                raise ValidationError(phone_message(value), code="phone") from None


def phone_message(value: str) -> str:
    return _(
        "Phone number: “%(value)s” is not a Vietnamese phone number"
        " (10 digits beginning with 0, or +84)."
    ) % {"value": quoted(value)}


class PersonalIdField(TextField):
    """The 12-digit personal ID number (§8). Only its shape is an error; a province code or
    birth year that does not match is a warning the write path returns (§8.1 [S])."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value: Any) -> str:
        # People copy the number with spaces or dots between the groups of digits.
        text = super().to_python(value) or ""
        return "".join(text.split()).replace(".", "")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            try:
                check_personal_id(value)
            except InvalidValue:
                raise ValidationError(personal_id_message(value), code="personal_id") from None


def personal_id_message(value: str) -> str:
    return _("Personal ID number: “%(value)s” is not a number of 12 digits.") % {
        "value": quoted(value)
    }


class EmailField(_Named, forms.EmailField):
    """An e-mail address (254 characters, the model's), the message naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = self.to_python(value) or ""
        if text in self.empty_values:
            if self.required:
                raise ValidationError(self._required_message(), code="required")
            return text
        self._check_length(text)
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                _("E-mail: “%(value)s” is not an e-mail address.") % {"value": quoted(text)},
                code="invalid",
            ) from None
        return text


class BirthDateField(forms.Field):
    """A date of birth typed dd/mm/yyyy: a real, past date, not before 1900."""

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as error:
            # A real date outside the parser's years is still a date: validate() names why.
            found = getattr(error, "value", None)
            if isinstance(found, date):
                return found
            raise ValidationError(
                _("Date of birth: “%(value)s” is not a date (dd/mm/yyyy).")
                % {"value": quoted(text)},
                code="invalid",
            ) from None

    def validate(self, value: Any) -> None:
        if value is None:
            if self.required:
                raise ValidationError(
                    _("%(field)s: this field is required.") % {"field": _label(self)},
                    code="required",
                )
            return
        if value > timezone.localdate():
            raise ValidationError(
                _("Date of birth: %(value)s is in the future.") % {"value": format_date(value)},
                code="future",
            )
        if value < EARLIEST_BIRTH:
            raise ValidationError(
                _("Date of birth: %(value)s is before %(earliest)s.")
                % {"value": format_date(value), "earliest": format_date(EARLIEST_BIRTH)},
                code="too_old",
            )


class SetsCountField(forms.Field):
    """How many sets of the dossier were handed in: a whole number from 1 to 50 (§2.1)."""

    def to_python(self, value: Any) -> int | None:
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise ValidationError(sets_message(), code="invalid")
        return int(text) if len(text) < 6 else MAX_SETS + 1

    def validate(self, value: Any) -> None:
        if value is None:
            if self.required:
                raise ValidationError(sets_message(), code="required")
            return
        if value > MAX_SETS:
            raise ValidationError(
                _("Number of sets: at most %(limit)s.") % {"limit": MAX_SETS}, code="max"
            )


def sets_message() -> str:
    return _("The number of sets must be a positive whole number.")


def warning_text(warning: str) -> str:
    """A warning of the write path (``Created.warnings``) in the reader's language: the ID
    number's doubts (``core.identity.IdWarning``) are translated, anything else is as given."""
    if not isinstance(warning, IdWarning):
        return warning
    if warning.kind == "province":
        return (
            _(
                "Personal ID number: %(code)s is not a known birth-registration province code"
                " (received anyway: please check the number)."
            )
            % warning.params
        )
    if warning.kind == "century":
        return (
            _(
                "Personal ID number: its century digit %(digit)s does not match the year of birth"
                " %(year)s (received anyway: please check)."
            )
            % warning.params
        )
    if warning.kind == "birth_year":
        return (
            _(
                "Personal ID number: its year digits %(digits)s do not match the year of birth"
                " %(year)s (received anyway: please check)."
            )
            % warning.params
        )
    return str(warning)
