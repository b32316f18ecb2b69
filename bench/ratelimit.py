"""What the rate limits cost, and whether parallel guesses pass them, on a SQLite file.

.venv/bin/python bench/ratelimit.py

1. A wrong tracking attempt (``portal.services.dossier_track`` with an unknown code) with the
   limits on, against the same attempt with them off (0 turns a limit off): seconds per
   attempt and the ratio.
2. 40 threads guess one code at once (each its own connection to the SQLite file, released by
   a barrier): how many were checked (the limit is 5) and how many refused.
3. The sign-in throttle's claim and reset (one login-worth of counter work).

Not a test: numbers for the note. The PostgreSQL version of (2) is the test
``portal/tests/test_limits_concurrency.py``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["MOTCUA_DATA_DIR"] = tempfile.mkdtemp(prefix="motcua-bench-ratelimit-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from motcua.accounts import throttle  # noqa: E402
from motcua.accounts.models import RateCounter  # noqa: E402
from motcua.portal import services  # noqa: E402
from motcua.portal.errors import TrackingLimited, TrackingRefused  # noqa: E402

ATTEMPTS = 300


def attempts(limits_on: bool) -> float:
    RateCounter.objects.all().delete()
    big = 10**9 if limits_on else 0
    settings.MOTCUA_PORTAL = {"TRACK_MAX_PER_IP": big, "TRACK_MAX_PER_CODE": big}
    started = time.perf_counter()
    for n in range(ATTEMPTS):
        with contextlib.suppress(TrackingRefused):
            services.dossier_track(code=f"CODE-{n % 7}", secret="ZZZZ", client_ip="203.0.113.9")
    return (time.perf_counter() - started) / ATTEMPTS


def parallel(guesses: int = 40) -> tuple[int, int, int]:
    RateCounter.objects.all().delete()
    settings.MOTCUA_PORTAL = {}
    barrier = threading.Barrier(guesses)
    outcomes: list[object] = [None] * guesses

    def guess(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.dossier_track(code="PARALLEL-1", secret="ZZZZ", client_ip="203.0.113.66")
        except Exception as error:  # noqa: BLE001 - counted below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    checked = sum(isinstance(o, TrackingRefused) for o in outcomes)
    limited = sum(isinstance(o, TrackingLimited) for o in outcomes)
    return checked, limited, guesses - checked - limited


def sign_in_work(rounds: int = 300) -> float:
    RateCounter.objects.all().delete()
    started = time.perf_counter()
    for n in range(rounds):
        claim = throttle.login_attempt_claim(username=f"user{n % 10}", client_ip="10.0.0.1")
        throttle.login_succeeded(claim)
    return (time.perf_counter() - started) / rounds


def main() -> None:
    call_command("migrate", verbosity=0)
    off = attempts(limits_on=False)
    on = attempts(limits_on=True)
    print(f"wrong tracking attempt, limits off: {off * 1000:.2f} ms")
    print(f"wrong tracking attempt, limits on:  {on * 1000:.2f} ms (ratio {on / off:.2f})")
    checked, limited, other = parallel()
    print(
        f"40 parallel wrong guesses on SQLite: {checked} checked, {limited} refused, {other} other"
    )
    print(f"sign-in throttle claim + success:   {sign_in_work() * 1000:.2f} ms")


if __name__ == "__main__":
    main()
