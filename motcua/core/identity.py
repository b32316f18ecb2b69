"""Checks of applicant contact data: the 12-digit personal ID number (§8), phones, names.

The ID number is validated softly (§8.1 caveat [S]): a number of the wrong shape is an error,
but a province code or birth-year digits that do not match are only warnings, because numbers
issued before mergers or re-issued numbers legitimately differ. Pure: no Django.
"""

from __future__ import annotations

import re
from datetime import date

# §8.2 [I]: 3-digit birth-registration province codes of the 63-province era ("0" + GSO code).
PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)

_PHONE = re.compile(r"^(?:\+84|84|0)(?:3|5|7|8|9|2\d)\d{8}$")


class IdWarning(str):
    """A doubt about an ID number's content (§8.1 [S]): the English text, plus its ``kind``
    (``province``, ``century``, ``birth_year``) and ``params``, from which the pages say it
    in the reader's language (``lib.validators.warning_text``)."""

    kind: str
    params: dict[str, str]

    def __new__(cls, text: str, kind: str, **params: str) -> IdWarning:
        warning = super().__new__(cls, text)
        warning.kind = kind
        warning.params = params
        return warning


class InvalidValue(ValueError):
    """A value of the wrong shape; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_personal_id(number: str, birth_date: date | None = None) -> list[str]:
    """Raise if ``number`` is not 12 digits; return warnings about its content otherwise."""
    if not re.fullmatch(r"\d{12}", number):
        raise InvalidValue("id_number", f"'{number}' is not a 12-digit personal ID number")
    warnings: list[str] = []
    code = number[:3]
    if code not in PROVINCE_CODES:
        warnings.append(
            IdWarning(
                f"province code {code} is not a known birth-registration code",
                "province",
                code=code,
            )
        )
    century_digit = int(number[3])
    if birth_date is not None:
        year = str(birth_date.year)
        century = 1900 + 100 * (century_digit // 2)
        if not century <= birth_date.year < century + 100:
            warnings.append(
                IdWarning(
                    f"century digit {century_digit} does not match {year}",
                    "century",
                    digit=str(century_digit),
                    year=year,
                )
            )
        if number[4:6] != f"{birth_date.year % 100:02d}":
            warnings.append(
                IdWarning(
                    f"birth-year digits {number[4:6]} do not match {year}",
                    "birth_year",
                    digits=number[4:6],
                    year=year,
                )
            )
    return warnings


def normalise_phone(phone: str) -> str:
    """A Vietnamese phone number without spaces or dots, or raise (mobile or landline)."""
    compact = re.sub(r"[\s.\-()]", "", phone)
    if not _PHONE.match(compact):
        raise InvalidValue("phone", f"'{phone}' is not a Vietnamese phone number")
    return compact
