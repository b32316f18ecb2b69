from datetime import date

import pytest

from motcua.core.identity import InvalidValue, check_personal_id, normalise_phone


def test_it_accepts_a_consistent_id_number():
    assert check_personal_id("006190012345", date(1990, 5, 1)) == []
    assert check_personal_id("006305012345", date(2005, 1, 1)) == []


def test_it_warns_but_does_not_block_on_mismatches():
    warnings = check_personal_id("099190012345", date(1991, 5, 1))
    assert warnings == [
        "province code 099 is not a known birth-registration code",
        "birth-year digits 90 do not match 1991",
    ]
    assert check_personal_id("006290012345", date(1990, 1, 1)) == [
        "century digit 2 does not match 1990"
    ]


@pytest.mark.parametrize("bad", ["00619001234", "0061900123456", "00619001234a", ""])
def test_it_refuses_a_malformed_id_number(bad):
    with pytest.raises(InvalidValue) as error:
        check_personal_id(bad)
    assert error.value.field == "id_number"


def test_it_normalises_phone_numbers():
    assert normalise_phone("0912 345 678") == "0912345678"
    assert normalise_phone("+84 912.345.678") == "+84912345678"
    assert normalise_phone("0209 3870 123") == "02093870123"
    with pytest.raises(InvalidValue, match="not a Vietnamese phone number"):
        normalise_phone("12345")
