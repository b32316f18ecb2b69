"""The figures' ledger stays equal to what the definitions count from the dossiers.

Every allowed action from every state keeps it exact; the actions declared unable to change a
figure really cannot; imports count at once; ``ledger_rebuild`` repairs a damaged ledger.
"""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.dossiers import figures
from motcua.dossiers.choices import Status
from motcua.dossiers.models import DayFigure, FieldDayFigure
from motcua.dossiers.tests.test_services import GOOD_DETAILS, act, reach
from motcua.reports.selectors import report_for, report_recomputed

pytestmark = pytest.mark.django_db

A = workflow.Action


@pytest.mark.parametrize("status", list(Status))
def test_every_allowed_action_keeps_the_ledger_exact(world, status):
    for action in workflow.allowed_actions(workflow.Status(status)):
        dossier = reach(world, status)
        before = figures.snapshot(dossier.pk)
        act(world, dossier, action, "02/01/2024 10:00", **GOOD_DETAILS.get(action, {}))
        if action not in figures.FIGURE_ACTIONS:
            assert figures.snapshot(dossier.pk) == before, action
        assert figures.ledger_differences() == {}, action


def test_a_late_paused_and_rated_history_counts_the_same_both_ways(world):
    dossier = world.create(at="01/04/2024 08:00", fee=30000)  # due 08/04/2024 08:00
    act(world, dossier, A.TRANSFER, "01/04/2024 09:00")
    act(world, dossier, A.REQUEST_SUPPLEMENT, "02/04/2024 08:00")
    act(world, dossier, A.SUPPLEMENT, "10/04/2024 08:00", as_applicant=True)
    act(world, dossier, A.REQUEST_SUPPLEMENT, "11/04/2024 08:00")
    act(world, dossier, A.SUPPLEMENT, "12/04/2024 08:00", as_applicant=True)
    act(world, dossier, A.APPROVE, "03/05/2024 08:00", result_digitised=True)
    act(world, dossier, A.RETURN_RESULT, "03/05/2024 09:00", return_method="counter")
    act(world, dossier, A.RATE, "03/05/2024 09:05", as_applicant=True, rating="satisfied")
    assert figures.ledger_differences() == {}
    for period in (
        Period(date(2024, 4, 1), date(2024, 4, 10)),  # overdue at the end (two requests)
        Period(date(2024, 4, 1), date(2024, 4, 30)),
        Period(date(2024, 5, 1), date(2024, 5, 31)),  # carried over, resolved late, rated
        Period(date(2024, 4, 11), date(2024, 4, 11)),
    ):
        fast, slow = report_for(world.city, period), report_recomputed(world.city, period)
        assert fast.totals == slow.totals, period
    may = report_for(world.city, Period(date(2024, 5, 1), date(2024, 5, 31)))
    assert (may[Bucket.CARRIED_OVER], may[Bucket.RESOLVED_LATE], may[Bucket.SATISFIED]) == (1, 1, 1)
    april = report_for(world.city, Period(date(2024, 4, 1), date(2024, 4, 30)))
    assert (april[Bucket.RECEIVED], april[Bucket.PENDING_OVERDUE]) == (1, 1)


def test_a_ward_counts_in_its_own_report_and_in_the_city(world):
    world.create(at="02/01/2024 08:00", receiving_agency=world.ward_desk, actor=world.ward_clerk)
    world.create(at="02/01/2024 08:30")
    period = Period(date(2024, 1, 1), date(2024, 1, 31))
    assert report_for(world.ward, period)[Bucket.RECEIVED] == 1
    assert report_for(world.other_ward, period)[Bucket.RECEIVED] == 0
    assert report_for(world.city, period)[Bucket.RECEIVED] == 2


def test_rebuild_repairs_a_damaged_ledger(world):
    world.create(at="02/01/2024 08:00")
    row = DayFigure.objects.get(figure=Bucket.RECEIVED)
    row.n = 7
    row.save()
    FieldDayFigure.objects.filter(figure=Bucket.PENDING).delete()
    differences = figures.ledger_differences()
    assert {key[2] for key in differences} == {Bucket.RECEIVED, Bucket.PENDING}
    assert figures.ledger_rebuild() > 0
    assert figures.ledger_differences() == {}
    assert DayFigure.objects.get(figure=Bucket.RECEIVED).n == 1


def test_a_calendar_amendment_recounts_the_dossiers_it_touches(world):
    from motcua.clock.models import CalendarOverride
    from motcua.core.metrics import Measure

    dossier = world.create(at="01/04/2024 08:00")  # due 08/04/2024 08:00
    act(world, dossier, A.TRANSFER, "01/04/2024 09:00")
    act(world, dossier, A.REQUEST_SUPPLEMENT, "02/04/2024 08:00")
    act(world, dossier, A.SUPPLEMENT, "04/04/2024 08:00", as_applicant=True)
    act(world, dossier, A.APPROVE, "09/04/2024 16:00")
    april = Period(date(2024, 4, 1), date(2024, 4, 30))
    before = report_for(world.city, april).measures[Measure.PROCESSING_SECONDS]
    # Friday 05/04/2024 becomes a day off: the dossier took a working day less.
    override = CalendarOverride.objects.create(
        date=date(2024, 4, 5), kind="day_off", name="Nghỉ thử nghiệm", legal_ref="Thông báo thử"
    )
    assert figures.ledger_differences() == {}
    after = report_for(world.city, april).measures[Measure.PROCESSING_SECONDS]
    assert before - after == 8 * 3600
    override.delete()
    assert figures.ledger_differences() == {}
    assert report_for(world.city, april).measures[Measure.PROCESSING_SECONDS] == before
