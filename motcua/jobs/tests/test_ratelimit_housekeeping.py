"""The worker's daily housekeeping deletes expired rate-limit counters and the portal's old
record of failed tracking attempts (issue 16 item 2: "their counters expire and are cleaned")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from motcua.accounts import ratelimit
from motcua.accounts.models import RateCounter
from motcua.jobs.housekeeping import housekeeping_run
from motcua.portal.models import TrackingAttempt

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def test_housekeeping_deletes_expired_counters_and_old_failed_attempts():
    ratelimit.take(ratelimit.Rate("a", 5, timedelta(minutes=15)), "203.0.113.1", now=T0)
    ratelimit.take(ratelimit.Rate("b", 5, timedelta(days=2)), "203.0.113.1", now=T0)
    TrackingAttempt.objects.create(client_ip="203.0.113.1", code="X", at=T0)
    TrackingAttempt.objects.create(client_ip="203.0.113.1", code="Y", at=T0 + timedelta(days=20))
    deleted = housekeeping_run(now=T0 + timedelta(days=31))
    assert deleted["expired rate-limit counters"] == 2
    assert deleted["old failed tracking attempts"] == 1
    assert not RateCounter.objects.exists()
    assert list(TrackingAttempt.objects.values_list("code", flat=True)) == ["Y"]
    again = housekeeping_run(now=T0 + timedelta(days=31))
    assert again["expired rate-limit counters"] == again["old failed tracking attempts"] == 0


def test_housekeeping_keeps_live_counters():
    ratelimit.take(ratelimit.Rate("a", 5, timedelta(minutes=15)), "k", now=T0)
    assert housekeeping_run(now=T0 + timedelta(minutes=14))["expired rate-limit counters"] == 0
    assert RateCounter.objects.count() == 1
