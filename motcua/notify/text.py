"""SMS text: Vietnamese without diacritics, in one GSM-7 message (160 characters).

Carriers take brandname SMS in GSM-7 (160 characters) or UCS-2 (70); with diacritics a
Vietnamese text needs UCS-2, so brandname templates are written without them
(integrations-vn.md §7). ``đ`` has no decomposition and is mapped by hand.
"""

from __future__ import annotations

import unicodedata

SMS_MAX = 160

# The GSM 03.38 basic set without its escapes: what one 160-character message can carry.
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_BY_HAND = str.maketrans({"đ": "d", "Đ": "D", "–": "-", "—": "-", "‘": "'", "’": "'"})


class SmsTooLong(ValueError):
    """The text does not fit one SMS even with its variable parts shortened."""


def strip_diacritics(text: str) -> str:
    """``Hồ sơ đã được tiếp nhận`` → ``Ho so da duoc tiep nhan``; what is still outside
    GSM-7 afterwards becomes ``?``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_BY_HAND))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = unicodedata.normalize("NFC", plain)
    return "".join(ch if ch in _GSM7 else "?" for ch in plain)


def is_sms_safe(text: str) -> bool:
    """Within 160 characters and GSM-7 only (so one plain SMS)."""
    return len(text) <= SMS_MAX and all(ch in _GSM7 for ch in text)


def sms_fit(template: str, fixed: dict[str, str], shortenable: dict[str, str]) -> str:
    """Fill ``template`` (``str.format`` fields) without diacritics, within 160 characters.

    ``fixed`` values (a dossier code, a date) are never cut; ``shortenable`` ones (a reason,
    an agency's name) are cut, longest first, and end with ``..`` when cut. Raises
    :class:`SmsTooLong` when even empty shortenable values do not fit (a template too long).
    """
    fixed = {k: strip_diacritics(v) for k, v in fixed.items()}
    parts = {k: " ".join(strip_diacritics(v).split()) for k, v in shortenable.items()}
    bare = strip_diacritics(template.format(**fixed, **dict.fromkeys(parts, "")))
    if len(bare) > SMS_MAX:
        raise SmsTooLong(f"{len(bare)} characters without its variable parts: {bare!r}")
    budget = SMS_MAX - len(bare)
    # Shortest first: a short value keeps all of itself, and what it leaves goes to the rest.
    for left, key in enumerate(sorted(parts, key=lambda k: len(parts[k])), start=0):
        share = budget // (len(parts) - left)
        value = parts[key]
        if len(value) > share:
            value = value[: max(0, share - 2)].rstrip() + ".." if share > 2 else ""
        parts[key] = value
        budget -= len(value)
    return strip_diacritics(template.format(**fixed, **parts))
