"""Checkpoints and compaction against the writes themselves (the small world of the dossier
tests, per test): a back-dated write adjusts the checkpoints it covers, compaction folds the
rows of a key and keeps every sum, and the worker's daily step does both."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import translation

from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Bucket, Period
from motcua.dossiers.figures import ledger_differences
from motcua.dossiers.ledger_checkpoints import (
    checkpoint_differences,
    checkpoints_take,
    ledger_compact,
)
from motcua.dossiers.models import (
    DayFigure,
    FieldDayFigure,
    LedgerCheckpointYear,
    LedgerMark,
    StockCheckpoint,
)
from motcua.dossiers.services import dossier_transition
from motcua.dossiers.tests.world import World, build_world, local
from motcua.jobs.housekeeping import housekeeping_run
from motcua.jobs.management.commands.worker import Command
from motcua.reports.selectors import report_for, report_recomputed

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def _world_dossiers(world: World, days: list[str]) -> None:
    for day in days:
        dossier = world.create(at=f"{day} 08:00")
        moment = datetime.strptime(day, "%d/%m/%Y").replace(tzinfo=LOCAL_TZ)
        act = {"dossier_id": dossier.pk, "at": datetime.combine(moment, time(10), LOCAL_TZ)}
        dossier_transition(action=workflow.Action.TRANSFER, actor=world.clerk, **act)


def test_a_back_dated_write_adjusts_the_checkpoints(settings):
    world = build_world()
    _world_dossiers(world, ["02/01/2024", "20/12/2024"])
    assert checkpoints_take(TODAY) == [2024, 2025]
    city = world.city
    periods = [Period(date(2025, 1, 1), date(2025, 1, 31)), Period(date(2026, 1, 1), TODAY)]
    # Back-dated: received in 2024, resolved in 2025, a dossier now overdue since 2024.
    late = world.create(at="10/06/2024 08:00")
    dossier_transition(
        action=workflow.Action.TRANSFER,
        actor=world.clerk,
        dossier_id=late.pk,
        at=local("10/06/2024 09:00"),
    )
    dossier_transition(
        action=workflow.Action.APPROVE,
        actor=world.officer,
        dossier_id=late.pk,
        at=local("05/01/2025 10:00"),
    )
    _world_dossiers(world, ["30/12/2025"])
    assert checkpoint_differences() == []
    assert ledger_differences() == {}
    for period in periods:
        fast, slow = report_for(city, period), report_recomputed(city, period)
        assert (fast.totals, fast.measures) == (slow.totals, slow.measures), period
    pending = StockCheckpoint.objects.filter(unit=city, figure=Bucket.PENDING.value)
    assert dict(pending.values_list("day", "n")) == {
        date(2024, 12, 31): 3,  # 02/01, 20/12 and 10/06/2024, the last approved in 2025
        date(2025, 12, 31): 3,  # 02/01/2024, 20/12/2024 and 30/12/2025
    }


def _keys(model) -> Counter[int]:
    key = ["unit", "figure", "day"] if model is DayFigure else ["unit", "field", "figure", "day"]
    return Counter(
        model.objects.values(*key).annotate(rows=Count("id")).values_list("rows", flat=True)
    )


def _sums(model) -> dict[tuple, int]:
    key = ["unit", "figure", "day"] if model is DayFigure else ["unit", "field", "figure", "day"]
    return {
        tuple(row[:-1]): row[-1]
        for row in model.objects.values(*key).annotate(total=Sum("n")).values_list(*key, "total")
    }


def test_compaction_folds_the_rows_of_a_key_and_keeps_every_sum():
    world = build_world()
    _world_dossiers(world, ["02/01/2024"] * 4)
    before = {model: _sums(model) for model in (DayFigure, FieldDayFigure)}
    assert max(_keys(DayFigure)) > 1, "append-only deltas: one row per write"
    rows = DayFigure.objects.count() + FieldDayFigure.objects.count()
    folded = ledger_compact()
    assert folded > 0
    assert DayFigure.objects.count() + FieldDayFigure.objects.count() == rows - folded
    for model in (DayFigure, FieldDayFigure):
        assert set(_keys(model)) == {1}
        assert _sums(model) == before[model]
    assert ledger_differences() == {}
    # The mark: a second run reads nothing new and folds nothing.
    top = DayFigure.objects.order_by("-id").values_list("id", flat=True).first()
    assert LedgerMark.objects.get(name=DayFigure._meta.db_table).last_id <= top
    assert ledger_compact() == 0
    # New rows of the same keys are folded by the next run.
    _world_dossiers(world, ["02/01/2024"])
    assert ledger_compact() > 0
    assert set(_keys(DayFigure)) == {1}
    assert ledger_differences() == {}


def test_the_worker_compacts_and_takes_the_checkpoints():
    world = build_world()
    _world_dossiers(world, ["02/01/2024", "02/01/2024"])
    rows = DayFigure.objects.count() + FieldDayFigure.objects.count()
    done = housekeeping_run(now=datetime(2026, 1, 2, 22, 0, tzinfo=LOCAL_TZ))
    folded = done["ledger compaction and checkpoints"]
    assert folded > 0
    assert DayFigure.objects.count() + FieldDayFigure.objects.count() == rows - folded
    assert set(_keys(DayFigure)) == {1}
    assert list(LedgerCheckpointYear.objects.values_list("day", flat=True)) == [
        date(2024, 12, 31),
        date(2025, 12, 31),
    ]
    assert checkpoint_differences() == []


def test_the_compact_command_folds_and_takes_the_closed_years(capsys):
    world = build_world()
    _world_dossiers(world, ["02/01/2024", "02/01/2024"])
    rows = DayFigure.objects.count() + FieldDayFigure.objects.count()
    with translation.override("en"):
        call_command("report", "compact", "--full")
    out = capsys.readouterr().out
    assert DayFigure.objects.count() + FieldDayFigure.objects.count() < rows
    years = [day.year for day in LedgerCheckpointYear.objects.values_list("day", flat=True)]
    assert years[0] == 2024
    assert f"checkpoints taken for {', '.join(map(str, years))}." in out
    assert checkpoint_differences() == []
    assert ledger_differences() == {}


@pytest.mark.parametrize("every", [300, 0])
def test_a_worker_folds_the_ledger_every_few_minutes_unless_turned_off(settings, every):
    # The step each scheduler tick of `motcua worker` runs first (the whole command is run by
    # the worker tests in processes of their own: its task loop closes connections).
    settings.MOTCUA_JOBS = {**settings.MOTCUA_JOBS, "COMPACT_SECONDS": every}
    world = build_world()
    _world_dossiers(world, ["02/01/2024", "02/01/2024"])
    assert max(_keys(DayFigure)) > 1
    before = _sums(DayFigure)
    worker = Command()
    worker._compact()
    assert (set(_keys(DayFigure)) == {1}) is bool(every)
    assert _sums(DayFigure) == before
    # Within the interval the next tick leaves the new rows for the next fold.
    _world_dossiers(world, ["02/01/2024"])
    worker._compact()
    assert max(_keys(DayFigure)) > 1
