"""Forty parallel wrong tracking guesses (PostgreSQL pass): exactly the limit are checked.

Before issue 16 all forty were checked although the limit was five: the attempts were counted,
then inserted. Each thread has its own connection (a transactional test); a barrier releases
them together. SQLite's test database is in memory and serialises writers, so this runs in the
PostgreSQL pass only (the runner of ``lib/tests/threads.py``).
"""

from __future__ import annotations

import pytest

from motcua.accounts.models import RateCounter
from motcua.lib.tests.threads import together
from motcua.portal import services
from motcua.portal.errors import TrackingLimited, TrackingRefused

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

GUESSES = 40


def test_forty_parallel_wrong_guesses_check_exactly_the_limit():
    def guess() -> None:
        services.dossier_track(
            code="000.40.19.H55-261125-0001", secret="ZZZZ", client_ip="203.0.113.66"
        )

    outcomes = together(*[guess] * GUESSES)
    checked = [o for o in outcomes if isinstance(o, TrackingRefused)]
    limited = [o for o in outcomes if isinstance(o, TrackingLimited)]
    assert (len(checked), len(limited)) == (5, GUESSES - 5), outcomes
    counters = dict(RateCounter.objects.values_list("scope", "count"))
    assert counters == {"portal-track-code": 5, "portal-track-ip": 5}
