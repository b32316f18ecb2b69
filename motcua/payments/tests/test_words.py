"""Amounts in Vietnamese words, as the receipt writes them under the figure."""

from __future__ import annotations

import pytest

from motcua.payments.words import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (50000, "Năm mươi nghìn đồng"),
        (100000, "Một trăm nghìn đồng"),
        (120000, "Một trăm hai mươi nghìn đồng"),
        (701000, "Bảy trăm linh một nghìn đồng"),
        (1005000, "Một triệu không trăm linh năm nghìn đồng"),
        (2500000, "Hai triệu năm trăm nghìn đồng"),
        (100001, "Một trăm nghìn không trăm linh một đồng"),
        (1200000000, "Một tỷ hai trăm triệu đồng"),
        (1000000000000, "Một nghìn tỷ đồng"),
    ],
)
def test_amounts_read_the_vietnamese_way(amount, words):
    assert amount_in_words(amount) == words


def test_a_negative_amount_has_no_words():
    with pytest.raises(ValueError):
        amount_in_words(-1)
