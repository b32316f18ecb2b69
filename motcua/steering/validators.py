"""A soft check of Vietnamese phone numbers, as people write them on member lists.

Soft: spaces, dots, dashes, brackets and the +84 prefix are all accepted and an empty phone is
fine; only what cannot be a Vietnamese number is refused. Since 2017 mobile numbers have 10
digits (09x, 08x, 07x, 05x, 03x) and landlines 11 (02xx + 7 digits), both starting with 0.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-()/]+")


def phone_digits(text: str) -> str:
    """The digits of ``text`` with +84/84 turned back into the leading 0; '' when empty."""
    compact = _SEPARATORS.sub("", text.strip())
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    return compact


def phone_normalise(text: str) -> str:
    """The number as stored and shown: '0912 345 678' (mobile) or '0209 387 0123' (landline);
    an empty text stays empty. Call after :func:`validate_phone`."""
    digits = phone_digits(text)
    if not digits:
        return ""
    # 4-3-3 for a mobile, 4-3-4 for a landline: the same cut points.
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


def validate_phone(text: str) -> None:
    """Refuse what cannot be a Vietnamese phone number (see the module docstring)."""
    digits = phone_digits(text)
    if not digits:
        return
    if not digits.isdigit() or not digits.startswith("0") or len(digits) not in (10, 11):
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number: write 10 digits for a mobile "
                "(0912 345 678) or 11 for a landline (0209 387 0123)"
            ),
            code="phone",
            params={"value": text.strip()},
        )
