"""A half-month rollup taken while a back-dated write is in flight loses nothing (PostgreSQL pass).

The two orders of ``dossiers.ledger_checkpoints``' docstring, each forced as in
``test_ledger_checkpoint_lock``: the first transaction holds the checkpoints' advisory lock
until the second is seen waiting for it, then commits. Either way every rollup equals the sum
of its span's days.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from motcua.core.metrics import Bucket
from motcua.dossiers.figures import ledger_add
from motcua.dossiers.ledger_checkpoints import month_differences, months_take
from motcua.dossiers.models import MonthFigure
from motcua.dossiers.tests.test_ledger_checkpoint_lock import TODAY, until_another_waits, world
from motcua.lib.tests.threads import together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

JUNE_SECOND_HALF = date(2026, 6, 15)  # the span of 17/06


def back_dated(unit: int, field: int) -> Counter:
    return Counter({(unit, field, Bucket.RECEIVED, date(2026, 6, 17)): 2})


def received_in_june() -> int:
    return MonthFigure.objects.get(month=JUNE_SECOND_HALF, figure=Bucket.RECEIVED.value).n


def test_a_write_waits_for_months_being_taken_then_adjusts_them():
    unit, field = world()
    held = threading.Event()

    def take() -> list[date]:
        with transaction.atomic():
            months = months_take(TODAY)
            held.set()
            until_another_waits()
        return months

    def write() -> None:
        assert held.wait(30)
        with transaction.atomic():
            ledger_add(back_dated(unit, field))

    months, _ = together(take, write)
    # 01/03/2024 to 30/11/2026: 33 months, two spans each.
    assert (months[0], months[-1], len(months)) == (date(2024, 3, 1), date(2026, 11, 15), 66)
    assert month_differences() == []
    assert received_in_june() == 2


def test_months_wait_for_a_back_dated_write_then_count_it():
    unit, field = world()
    held = threading.Event()

    def write() -> None:
        with transaction.atomic():
            ledger_add(back_dated(unit, field))
            held.set()
            until_another_waits()

    def take() -> list[date]:
        assert held.wait(30)
        return months_take(TODAY)

    _, months = together(write, take)
    assert len(months) == 66
    assert month_differences() == []
    assert received_in_june() == 2
