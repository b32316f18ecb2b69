"""Vietnamese presentation of numbers, rates and dates (invariant 6 of ARCHITECTURE.md).

Pure functions, no Django: reports, PDF, XLSX, CLI and e-mail all format through here, so
1.608 and 73,54% look the same everywhere. Rounding is half-up, as people round by hand
(Django's number formatting truncates: 6,077 would show as 6,07).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from motcua.core.clock import LOCAL_TZ

Number = int | float | Decimal | Fraction


def nfc(text: str) -> str:
    """Unicode NFC: the one form Vietnamese text is stored and compared in."""
    return unicodedata.normalize("NFC", text)


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def format_number(
    value: Number, decimals: int = 0, *, thousands: str = ".", point: str = ","
) -> str:
    """1608 -> '1.608'; 6.077 with 2 decimals -> '6,08'."""
    if type(value) is int and decimals == 0:
        # A count, nothing to round: a province's dashboard writes about 1.200 of them, and
        # the decimal path was a tenth of its time.
        return f"{value:,}".replace(",", thousands)
    quantum = Decimal(1).scaleb(-decimals)
    rounded = _to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    digits = f"{abs(rounded):f}"
    whole, _, frac = digits.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    if decimals > 0:
        text += point + frac
    return sign + text


def format_count(value: int, width: int = 0) -> str:
    """A count as the committee writes it: '1.608'; with width 2, '05' (seed: 'quá hạn 05')."""
    text = format_number(value)
    return text.zfill(width) if width else text


def format_params(params: Mapping[str, object]) -> dict[str, object]:
    """A message's parameters with their whole numbers written as counts (5.000, not 5000):
    for messages built where formatting is not known (the pure core's ``%(length)s``)."""
    return {
        key: format_number(value)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for key, value in params.items()
    }


def percent(numerator: int, denominator: int) -> Fraction | None:
    """The exact share numerator/denominator in percent, or None when nothing was counted."""
    if denominator == 0:
        return None
    return Fraction(numerator * 100, denominator)


def format_percent(value: Number | None, decimals: int = 2, *, trim: bool = True) -> str:
    """73.5408 -> '73,54%'; with trim, whole values drop their zeros: 100 -> '100%'."""
    if value is None:
        return "–"
    text = format_number(value, decimals)
    if trim and decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text + "%"


def format_ratio(numerator: int, denominator: int, decimals: int = 2) -> str:
    """'189/257 = 73,54%' (seed phrasing, numbers in Vietnamese format)."""
    share = format_percent(percent(numerator, denominator), decimals)
    return f"{format_number(numerator)}/{format_number(denominator)} = {share}"


def format_date(value: date) -> str:
    """dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime) -> str:
    """HH:MM dd/mm/yyyy, in the value's own time zone (callers localise first)."""
    return value.strftime("%H:%M %d/%m/%Y")


def format_moment(value: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time (the e-mails: the applicant's and the digest)."""
    local = value.astimezone(LOCAL_TZ)
    return f"{format_date(local.date())} {local:%H:%M}"


def format_money(value: Number) -> str:
    """Đồng, no decimals: 1608000 -> '1.608.000 đ'."""
    return f"{format_number(value)} đ"
