"""The SMS text check: diacritics off (đ too), GSM-7 only, within 160 characters."""

from __future__ import annotations

import pytest

from motcua.notify.channels import phone_84
from motcua.notify.text import SMS_MAX, SmsTooLong, is_sms_safe, sms_fit, strip_diacritics


def test_diacritics_and_d_bar_are_taken_off():
    assert strip_diacritics("Hồ sơ đã được tiếp nhận. ĐƯỜNG Hùng Vương") == (
        "Ho so da duoc tiep nhan. DUONG Hung Vuong"
    )
    assert strip_diacritics("Giấy tờ “gốc” – 50%") == "Giay to ?goc? - 50%"
    assert is_sms_safe("Ho so da duoc tiep nhan")
    assert not is_sms_safe("Hồ sơ")
    assert not is_sms_safe("x" * (SMS_MAX + 1))


def test_fixed_parts_stay_and_long_parts_are_cut_fairly():
    text = sms_fit(
        "Ho so {code}: {reason}. Lien he {agency}.",
        {"code": "000.00.58.H06-240102-0001"},
        {"reason": "Thiếu bản sao " * 50, "agency": "UBND phường Đức Xuân"},
    )
    assert len(text) <= SMS_MAX
    assert text.startswith("Ho so 000.00.58.H06-240102-0001: Thieu ban sao")
    assert text.endswith(".. Lien he UBND phuong Duc Xuan.")  # the short one kept whole
    assert is_sms_safe(text)


def test_a_template_too_long_is_refused():
    with pytest.raises(SmsTooLong):
        sms_fit("x" * 150 + " {code}", {"code": "000.00.58.H06-240102-0001"}, {})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0912345678", "84912345678"),
        ("+84 912 345 678", "84912345678"),
        ("84-386-000-111", "84386000111"),
        ("0212345678", None),  # a landline prefix
        ("091234567", None),
        ("", None),
    ],
)
def test_phones_in_the_84_form(given, expected):
    assert phone_84(given) == expected
