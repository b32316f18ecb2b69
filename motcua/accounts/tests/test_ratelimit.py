"""The rate-limit mechanism (motcua.accounts.ratelimit, docs/limits.md) on a clock passed by
hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from motcua.accounts import ratelimit
from motcua.accounts.models import RateCounter
from motcua.accounts.ratelimit import Backoff, Rate, RateLimited

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
RATE = Rate("test", 3, timedelta(minutes=10))


def test_a_rate_allows_its_limit_then_refuses_with_the_time_left():
    for n in range(3):
        ratelimit.take(RATE, "k", now=T0 + timedelta(minutes=n))
    with pytest.raises(RateLimited) as refused:
        ratelimit.take(RATE, "k", now=T0 + timedelta(minutes=4))
    # The window started at the first use: 6 minutes are left.
    assert refused.value.retry_after == 6 * 60
    assert refused.value.minutes == 6
    assert RateCounter.objects.get().count == 3  # a refusal uses nothing
    # Another key has its own uses.
    ratelimit.take(RATE, "other", now=T0)


def test_the_window_starts_again_once_passed():
    for _n in range(3):
        ratelimit.take(RATE, "k", now=T0)
    ratelimit.take(RATE, "k", now=T0 + timedelta(minutes=10))
    assert RateCounter.objects.get().count == 1


def test_given_back_uses_can_be_taken_again():
    taken = [ratelimit.take(RATE, "k", now=T0) for _n in range(3)]
    ratelimit.give_back(taken[:2], now=T0)
    ratelimit.take(RATE, "k", now=T0)
    ratelimit.take(RATE, "k", now=T0)
    with pytest.raises(RateLimited):
        ratelimit.take(RATE, "k", now=T0)
    # Never below zero.
    ratelimit.give_back(taken * 5, now=T0)
    assert RateCounter.objects.get().count == 0


def test_take_all_takes_all_or_nothing():
    tight = Rate("tight", 1, timedelta(minutes=10))
    ratelimit.take(tight, "k", now=T0)
    with pytest.raises(RateLimited) as refused:
        ratelimit.take_all([(RATE, "k"), (tight, "k")], now=T0)
    assert refused.value.scope == "tight"
    assert RateCounter.objects.get(scope="test").count == 0


def test_a_limit_of_zero_is_off():
    off = Rate("off", 0, timedelta(minutes=10))
    for _n in range(50):
        ratelimit.take(off, "k", now=T0)
    assert not RateCounter.objects.exists()


def test_a_long_key_is_kept_apart_by_its_digest():
    long_a, long_b = "a" * 300, "a" * 299 + "b"
    ratelimit.take(Rate("one", 1, timedelta(minutes=1)), long_a, now=T0)
    ratelimit.take(Rate("one", 1, timedelta(minutes=1)), long_b, now=T0)
    assert RateCounter.objects.count() == 2


def test_the_backoff_is_free_then_doubles_to_its_cap():
    rule = Backoff("b", free=2, cap_seconds=20, window=timedelta(minutes=15))
    assert [rule.delay(n).total_seconds() for n in range(1, 8)] == [0, 2, 4, 8, 16, 20, 20]
    assert rule.delay(10**6) == timedelta(seconds=20)
    now = T0
    assert ratelimit.backoff_claim(rule, "k", now=now) == 1
    assert ratelimit.backoff_claim(rule, "k", now=now) == 2
    with pytest.raises(RateLimited) as refused:
        ratelimit.backoff_claim(rule, "k", now=now + timedelta(seconds=1))
    assert refused.value.retry_after == 1
    assert ratelimit.backoff_claim(rule, "k", now=now + timedelta(seconds=2)) == 3
    ratelimit.reset("b", "k")
    assert ratelimit.backoff_claim(rule, "k", now=now + timedelta(seconds=2)) == 1


def test_the_backoff_forgets_after_its_window():
    rule = Backoff("b", free=1, cap_seconds=60, window=timedelta(minutes=15))
    for n in range(4):
        ratelimit.backoff_claim(rule, "k", now=T0 + timedelta(minutes=n))
    assert ratelimit.backoff_claim(rule, "k", now=T0 + timedelta(minutes=19)) == 1


def test_cleanup_deletes_only_expired_counters():
    ratelimit.take(RATE, "old", now=T0)
    ratelimit.take(RATE, "new", now=T0 + timedelta(minutes=5))
    assert ratelimit.cleanup(now=T0 + timedelta(minutes=9)) == 0
    assert ratelimit.cleanup(now=T0 + timedelta(minutes=10)) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]
