"""Several clerks certifying at once on PostgreSQL, each in its own thread and connection:
numbers 1..N, no gap, no repeat (the counter row's lock)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from motcua.certification.models import CertifiedCopy
from motcua.dossiers.tests.world import build_world

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_parallel_certifications_get_consecutive_numbers(signing_settings, certify_factory):
    world = build_world()
    run = certify_factory(world)
    at = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    count = 6
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            run(at=at)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = sorted(CertifiedCopy.objects.values_list("number", flat=True))
    assert numbers == list(range(1, count + 1))
