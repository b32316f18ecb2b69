"""VietQR: the bank-transfer QR payload (NAPAS 247, EMVCo Merchant-Presented QR), built and read.

Pure Python, no Django: the command, the portal and the tests share it (docs/payments.md,
integrations-vn.md §2.2). A payload is a chain of TLV fields (two-digit tag, two-digit length,
value), ASCII only, closed by the CRC of everything before it:

* ``00`` payload format ``01``; ``01`` point of initiation ``12`` (dynamic: carries an amount;
  ``11`` static, read but never built here);
* ``38`` merchant account: ``00`` GUID ``A000000727`` (NAPAS), ``01`` beneficiary organisation
  (``00`` the bank's 6-digit BIN, ``01`` the account number), ``02`` service ``QRIBFTTA``
  (transfer to an account; ``QRIBFTTC`` to a card, read only);
* ``53`` currency ``704`` (VND); ``54`` amount in đồng, whole; ``58`` country ``VN``;
* ``62`` additional data, ``08`` purpose of transaction: the transfer content, where the dossier
  code goes so the bank statement can be matched to the dossier (at most 25 characters);
* ``63`` CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the payload up to and including
  ``6304``, four uppercase hex digits.

Every refusal is a :class:`VietQRError` naming the field. Its messages are English msgids marked
with :func:`gettext_noop`, so the Django side translates them (``_(error.message) % error.params``)
while this module stays free of Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a msgid for extraction (makemessages knows this name); translated by the caller."""
    return message


NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
TO_CARD = "QRIBFTTC"
SERVICES = (TO_ACCOUNT, TO_CARD)
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC = "11"
DYNAMIC = "12"
# EMVCo: sub-fields of 62 hold at most 25 characters; tag 54 at most 13.
PURPOSE_MAX = 25
AMOUNT_MAX_DIGITS = 13

BIN_RE = re.compile(r"\d{6}")
ACCOUNT_RE = re.compile(r"[0-9A-Za-z]{1,19}")
# A dossier code as the dossiers app makes it ("000.00.58.H06-240102-0001") or imports it.
CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
PRINTABLE_ASCII_RE = re.compile(r"[\x20-\x7e]*")


class VietQRError(ValueError):
    """A value that cannot go in (or came out of) a VietQR payload; ``field`` names it."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        self.field = field
        self.message = message  # an English msgid, %(name)s placeholders
        self.params = params
        super().__init__(f"{field}: {message % params}" if params else f"{field}: {message}")


@dataclass(frozen=True)
class Beneficiary:
    """The account citizens transfer fees to. One for the whole installation for now
    (``MOTCUA_VIETQR_*`` settings); an account per collecting agency is a later step."""

    bank_bin: str
    account: str
    name: str = ""


@dataclass(frozen=True)
class VietQR:
    """The fields of a VietQR payload (what :func:`parse` returns)."""

    initiation: str  # "12" dynamic, "11" static
    bank_bin: str
    account: str
    service: str
    amount: int | None  # None in a static payload without an amount
    purpose: str
    currency: str = CURRENCY_VND
    country: str = COUNTRY_VN
    payload_format: str = "01"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _crc_hex(text: str) -> str:
    return f"{crc16_ccitt_false(text.encode('ascii')):04X}"


def _tlv(tag: str, value: str) -> str:
    # Lengths are two digits: a value over 99 characters cannot be written at all.
    if len(value) > 99:
        raise VietQRError(tag, gettext_noop("longer than 99 characters"))
    return f"{tag}{len(value):02d}{value}"


def ascii_text(text: str) -> str:
    """Vietnamese text as EMVCo fields carry it: diacritics stripped ("Nộp phí" -> "Nop phi",
    đ -> d), anything else outside printable ASCII dropped, spaces collapsed."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if " " <= c <= "~" or c.isspace())
    return " ".join(kept.split())


# -- checks: one place for the rules, used by the settings, the builder and the reader --------


def check_bank_bin(value: str) -> str:
    if not BIN_RE.fullmatch(value):
        raise VietQRError(
            "bank_bin", gettext_noop("%(value)r is not a 6-digit bank BIN"), value=value
        )
    return value


def check_account(value: str) -> str:
    if not ACCOUNT_RE.fullmatch(value):
        raise VietQRError(
            "account",
            gettext_noop("%(value)r is not an account number of 1 to 19 letters or digits"),
            value=value,
        )
    return value


def check_amount(value: object) -> int:
    # bool is an int in Python; True đồng is not an amount.
    if not isinstance(value, int) or isinstance(value, bool):
        raise VietQRError(
            "amount", gettext_noop("%(value)r is not a whole number of đồng"), value=value
        )
    if value <= 0:
        raise VietQRError("amount", gettext_noop("the amount must be more than 0 đồng"))
    if len(str(value)) > AMOUNT_MAX_DIGITS:
        raise VietQRError("amount", gettext_noop("the amount has more than 13 digits"))
    return value


def check_purpose(value: str) -> str:
    if not PRINTABLE_ASCII_RE.fullmatch(value):
        raise VietQRError(
            "purpose", gettext_noop("the transfer content must be plain ASCII (no diacritics)")
        )
    if len(value) > PURPOSE_MAX:
        raise VietQRError(
            "purpose",
            gettext_noop("the transfer content has %(length)d characters, at most 25 fit"),
            length=len(value),
        )
    return value


def beneficiary_from(bank_bin: str, account: str, name: str = "") -> Beneficiary | None:
    """The configured beneficiary, or None when VietQR is not configured (BIN and account
    both empty). Half a configuration or a malformed value is refused, naming it."""
    bank_bin, account, name = bank_bin.strip(), account.strip(), name.strip()
    if bank_bin:
        check_bank_bin(bank_bin)
    if account:
        check_account(account)
    if not bank_bin and not account:
        return None
    if not bank_bin:
        raise VietQRError("bank_bin", gettext_noop("an account is set but no bank BIN"))
    if not account:
        raise VietQRError("account", gettext_noop("a bank BIN is set but no account"))
    return Beneficiary(bank_bin, account, name)


def transfer_purpose(code: str, note: str = "") -> str:
    """The transfer content for dossier ``code``: the code, then ``note`` (folded to ASCII)
    if room is left. The note may be shortened; the code never is: a code that does not fit
    in 25 characters is refused, since a cut code would match no dossier."""
    if not CODE_RE.fullmatch(code):
        raise VietQRError(
            "code",
            gettext_noop("%(value)r is not a dossier code (letters, digits, '.', '-', '_')"),
            value=code,
        )
    if len(code) > PURPOSE_MAX:
        raise VietQRError(
            "code",
            gettext_noop("the dossier code has %(length)d characters, at most 25 fit"),
            length=len(code),
        )
    room = PURPOSE_MAX - len(code) - 1
    note = ascii_text(note)
    if len(note) > room:
        # Shortened at a word's end: "Nop phi ho so da" would read as another word.
        cut = note[: max(room, 0) + 1]
        note = cut[: cut.rfind(" ")] if " " in cut else ""
    return f"{code} {note}" if note else code


# The note after a dossier's code when there is room ("Nộp phí": paying the fee). Codes the
# dossiers app makes are 25 characters, so usually the content is the code alone.
DOSSIER_NOTE = "Nop phi"


def dossier_purpose(code: str) -> str:
    """The transfer content of a fee payment for dossier ``code``."""
    return transfer_purpose(code, DOSSIER_NOTE)


def build(
    *, bank_bin: str, account: str, amount: int, purpose: str = "", service: str = TO_ACCOUNT
) -> str:
    """A dynamic VietQR payload: transfer ``amount`` đồng to ``account`` at bank ``bank_bin``
    with the transfer content ``purpose`` (ASCII, at most 25 characters; see
    :func:`transfer_purpose`)."""
    if service not in SERVICES:
        raise VietQRError(
            "service", gettext_noop("%(value)r is not a VietQR service"), value=service
        )
    beneficiary = _tlv("00", check_bank_bin(bank_bin)) + _tlv("01", check_account(account))
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", service)
    payload = (
        _tlv("00", "01")
        + _tlv("01", DYNAMIC)
        + _tlv("38", merchant)
        + _tlv("53", CURRENCY_VND)
        + _tlv("54", str(check_amount(amount)))
        + _tlv("58", COUNTRY_VN)
    )
    if check_purpose(purpose):
        payload += _tlv("62", _tlv("08", purpose))
    payload += "6304"
    return payload + _crc_hex(payload)


def build_for(beneficiary: Beneficiary, *, amount: int, purpose: str) -> str:
    """:func:`build` for the configured beneficiary."""
    return build(
        bank_bin=beneficiary.bank_bin,
        account=beneficiary.account,
        amount=amount,
        purpose=purpose,
    )


# -- reading ----------------------------------------------------------------------------------


def _fields(text: str, where: str) -> dict[str, str]:
    """The TLV fields of ``text`` by tag; ``where`` names the enclosing field in errors."""
    fields: dict[str, str] = {}
    position = 0
    previous = ""
    while position < len(text):
        head = text[position : position + 4]
        name = f"{where}.{head[:2]}" if where else head[:2]
        if len(head) < 4 or not head.isdigit():
            # A wrong length shows only here, one field later: name the field read last too.
            raise VietQRError(
                name or "payload",
                gettext_noop(
                    "a field must start with a 2-digit tag and a 2-digit length "
                    "(is the length of field %(previous)s right?)"
                )
                if previous
                else gettext_noop("a field must start with a 2-digit tag and a 2-digit length"),
                **({"previous": previous} if previous else {}),
            )
        tag, length = head[:2], int(head[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise VietQRError(
                name,
                gettext_noop("the length says %(length)d characters but %(left)d are left"),
                length=length,
                left=len(value),
            )
        if tag in fields:
            raise VietQRError(name, gettext_noop("the field appears twice"))
        fields[tag] = value
        previous = name
        position += 4 + length
    return fields


def _required(fields: dict[str, str], tag: str, where: str = "") -> str:
    if tag not in fields:
        raise VietQRError(f"{where}.{tag}" if where else tag, gettext_noop("the field is missing"))
    return fields[tag]


def _expect(name: str, value: str, expected: str) -> None:
    if value != expected:
        raise VietQRError(
            name,
            gettext_noop("%(value)r where %(expected)r is expected"),
            value=value,
            expected=expected,
        )


def parse(payload: str) -> VietQR:
    """The fields of a VietQR payload, after checking its CRC, every length and the values
    VietQR fixes (GUID, currency, country). Fields VietQR does not use (52 category, 59 name,
    60 city…) are skipped."""
    if not PRINTABLE_ASCII_RE.fullmatch(payload):
        raise VietQRError("payload", gettext_noop("a VietQR payload is plain ASCII"))
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise VietQRError("63", gettext_noop("the payload does not end with the CRC field 6304"))
    expected = _crc_hex(payload[:-4])
    if payload[-4:] != expected:
        raise VietQRError(
            "crc",
            gettext_noop("CRC %(found)s does not match the payload (%(expected)s)"),
            found=payload[-4:],
            expected=expected,
        )
    fields = _fields(payload, "")
    if next(iter(fields)) != "00":
        raise VietQRError("00", gettext_noop("the payload must start with field 00"))
    _expect("00", fields["00"], "01")
    initiation = _required(fields, "01")
    if initiation not in (STATIC, DYNAMIC):
        raise VietQRError("01", gettext_noop("%(value)r is not 11 or 12"), value=initiation)
    merchant = _fields(_required(fields, "38"), "38")
    _expect("38.00", _required(merchant, "00", "38"), NAPAS_GUID)
    organisation = _fields(_required(merchant, "01", "38"), "38.01")
    service = _required(merchant, "02", "38")
    if service not in SERVICES:
        raise VietQRError("38.02", gettext_noop("%(value)r is not a VietQR service"), value=service)
    _expect("53", _required(fields, "53"), CURRENCY_VND)
    _expect("58", _required(fields, "58"), COUNTRY_VN)
    amount: int | None = None
    if "54" in fields:
        if not fields["54"].isdigit():
            raise VietQRError(
                "54", gettext_noop("%(value)r is not a whole number of đồng"), value=fields["54"]
            )
        amount = int(fields["54"])
    elif initiation == DYNAMIC:
        raise VietQRError("54", gettext_noop("a dynamic payload (12) must carry an amount"))
    purpose = ""
    if "62" in fields:
        purpose = _fields(fields["62"], "62").get("08", "")
    bank_bin = _required(organisation, "00", "38.01")
    account = _required(organisation, "01", "38.01")
    for name, value, check in (("38.01.00", bank_bin, BIN_RE), ("38.01.01", account, ACCOUNT_RE)):
        if not check.fullmatch(value):
            raise VietQRError(name, gettext_noop("%(value)r is malformed"), value=value)
    return VietQR(
        initiation=initiation,
        bank_bin=bank_bin,
        account=account,
        service=service,
        amount=amount,
        purpose=purpose,
    )
