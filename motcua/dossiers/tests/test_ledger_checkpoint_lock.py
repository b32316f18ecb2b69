"""A checkpoint taken while a back-dated write is in flight loses nothing (PostgreSQL pass).

The two orders of ``dossiers.ledger_checkpoints``' docstring, each forced: the first
transaction holds the advisory lock until the second is seen waiting for it (``pg_locks``),
then commits. Either way the checkpoint equals the full sum of the deltas. Threads have their
own connections, so the data they share is committed first (a transactional test). SQLite runs
one write transaction at a time: nothing to interleave there.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date

import pytest
from django.db import connection, transaction

from motcua.catalog.models import Field
from motcua.core.metrics import Bucket
from motcua.dossiers.figures import ledger_add
from motcua.dossiers.ledger_checkpoints import checkpoint_differences, checkpoints_take
from motcua.dossiers.models import StockCheckpoint
from motcua.lib.tests.threads import together
from motcua.units.models import AdministrativeUnit

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 12, 3)


def world() -> tuple[int, int]:
    unit = AdministrativeUnit.objects.create(code="058", name="Thành phố Bắc Kạn", kind="city")
    field = Field.objects.create(code="DATDAI", name="Đất đai")
    ledger_add(Counter({(unit.pk, field.pk, Bucket.PENDING, date(2024, 3, 1)): 5}))
    return unit.pk, field.pk


def until_another_waits() -> None:
    """Return once another transaction waits for an advisory lock (the one held here)."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other transaction never waited for the checkpoint lock")


def back_dated(unit: int, field: int) -> Counter:
    return Counter({(unit, field, Bucket.PENDING, date(2024, 6, 1)): 2})


def pending_at_end_of(year: int) -> int:
    return StockCheckpoint.objects.get(day=date(year, 12, 31), figure=Bucket.PENDING.value).n


def test_a_write_waits_for_a_checkpoint_being_taken_then_adjusts_it():
    unit, field = world()
    held = threading.Event()

    def take() -> list[int]:
        with transaction.atomic():
            years = checkpoints_take(TODAY)
            held.set()
            until_another_waits()
        return years

    def write() -> None:
        assert held.wait(30)
        with transaction.atomic():
            ledger_add(back_dated(unit, field))

    outcomes = together(take, write)
    assert outcomes == [[2024, 2025], None]
    assert checkpoint_differences() == []
    assert (pending_at_end_of(2024), pending_at_end_of(2025)) == (7, 7)


def test_a_checkpoint_waits_for_a_back_dated_write_then_counts_it():
    unit, field = world()
    held = threading.Event()

    def write() -> None:
        with transaction.atomic():
            ledger_add(back_dated(unit, field))
            held.set()
            until_another_waits()

    def take() -> list[int]:
        assert held.wait(30)
        return checkpoints_take(TODAY)

    outcomes = together(write, take)
    assert outcomes == [None, [2024, 2025]]
    assert checkpoint_differences() == []
    assert (pending_at_end_of(2024), pending_at_end_of(2025)) == (7, 7)
