"""The headline rates have one definition (core.rates) that every output reads."""

from __future__ import annotations

from fractions import Fraction

from motcua.core import index766, rates
from motcua.core.metrics import Bucket


def test_each_rate_counts_its_figures_missing_ones_as_zero() -> None:
    totals = {Bucket.RESOLVED: 257, Bucket.RESOLVED_EARLY: 100, Bucket.RESOLVED_ON_TIME: 89}
    assert rates.ON_TIME.counts(totals) == (189, 257)
    assert rates.PAID_ONLINE.counts(totals) == (0, 0)
    assert {rate.key for rate in rates.RATES} == set(rates.RateKey)


def test_digitisation_e_certification_and_reuse_in_whole_percent() -> None:
    whole = (rates.DIGITISED, rates.E_CERTIFIED, rates.REUSED)
    assert {r.decimals for r in whole} == {0}
    assert {r.decimals for r in rates.RATES if r not in whole} == {2}


def test_the_766_index_reads_the_same_rates() -> None:
    totals = {
        Bucket.RECEIVED: 1608,
        Bucket.RECEIVED_ONLINE: 1342,
        Bucket.OBLIGATION: 1501,
        Bucket.PAID_ONLINE: 508,
        Bucket.DIGITISED: 1238,
    }
    inputs = index766.inputs_from_figures(totals, {})
    for code, rate in (
        ("3.3", rates.ONLINE_SUBMISSION),
        ("3.6", rates.PAID_ONLINE),
        ("4.2", rates.DIGITISED),
    ):
        ratio = inputs.measured(code)
        assert ratio is not None
        assert ratio.value == Fraction(*rate.counts(totals))
