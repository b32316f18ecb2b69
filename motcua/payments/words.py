"""An amount in đồng in Vietnamese words, as receipts write it under the figure ("Bằng chữ").

Pure Python. Vietnamese reading rules: groups of three digits (nghìn, triệu, tỷ); a zero
hundreds digit is read "không trăm" and a zero tens digit "linh" inside a number; 1 after
a ten above 10 is "mốt", 5 after any ten is "lăm", and 10 is "mười".
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu")


def _three(number: int, *, leading: bool) -> list[str]:
    """Words of 0–999; ``leading``: the number's first group (no "không trăm", no "linh")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens > 0:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(number: int, *, leading: bool) -> list[str]:
    groups = [number // 1_000_000, number // 1000 % 1000, number % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if group == 0:
            continue
        first = leading and not words
        words += _three(group, leading=first)
        name = GROUPS[2 - index]
        if name:
            words.append(name)
    return words


def _words(number: int, *, leading: bool) -> list[str]:
    billions, rest = divmod(number, 1_000_000_000)
    words: list[str] = []
    if billions:
        words += _words(billions, leading=leading) + ["tỷ"]
    if rest:
        words += _below_billion(rest, leading=leading and not words)
    return words


def amount_in_words(amount: int) -> str:
    """'Một triệu không trăm linh năm nghìn đồng' for 1005000; 'Không đồng' for 0."""
    if amount < 0:
        raise ValueError("an amount in words is not negative")
    words = _words(amount, leading=True) or [DIGITS[0]]
    text = " ".join([*words, "đồng"])
    return text[0].upper() + text[1:]
