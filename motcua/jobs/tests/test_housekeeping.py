"""The worker's daily housekeeping (issue 16: "anonymous page views create session rows that
nothing cleans"; task-result pruning): expired sessions and finished task results older than
MOTCUA_TASK_RESULTS_KEEP_DAYS are deleted, nothing else; the scheduler runs it every day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.core.clock import LOCAL_TZ
from motcua.jobs.choices import JobKind
from motcua.jobs.housekeeping import housekeeping_run
from motcua.jobs.selectors import jobs_due
from motcua.jobs.tasks import housekeeping, send_directive_reminders

pytestmark = pytest.mark.django_db


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(timezone.now() + expires_in)
    store.save()
    return str(store.session_key)


def task_result(status: str, finished_days_ago: int | None) -> str:
    result = send_directive_reminders.enqueue(timezone.now().isoformat())
    finished = (
        timezone.now() - timedelta(days=finished_days_ago)
        if finished_days_ago is not None
        else None
    )
    DBTaskResult.objects.filter(id=result.id).update(status=status, finished_at=finished)
    return str(result.id)


def test_expired_sessions_and_old_finished_task_results_are_deleted(settings):
    settings.MOTCUA_TASK_RESULTS_KEEP_DAYS = 30
    expired = session(timedelta(seconds=-1))
    alive = session(timedelta(hours=1))
    old_done = task_result("SUCCESSFUL", 31)
    old_failed = task_result("FAILED", 45)
    recent = task_result("SUCCESSFUL", 29)
    waiting = task_result("READY", None)

    deleted = housekeeping_run(now=timezone.now())

    assert deleted["expired sessions"] == 1
    assert deleted["old task results"] == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive]
    kept = set(DBTaskResult.objects.values_list("id", flat=True))
    assert {str(k) for k in kept} == {recent, waiting}
    assert not {old_done, old_failed} & {str(k) for k in kept}
    assert not Session.objects.filter(session_key=expired).exists()
    # A second run finds nothing more.
    again = housekeeping_run(now=timezone.now())
    assert again["expired sessions"] == again["old task results"] == 0


def test_the_task_runs_the_housekeeping_and_reports_to_the_schedule():
    session(timedelta(seconds=-1))
    assert housekeeping.call(timezone.localdate().isoformat()) >= 1
    assert Session.objects.count() == 0


def kinds(moment: str) -> list[JobKind]:
    now = datetime.strptime(moment, "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL_TZ)
    return [job.kind for job in jobs_due(now)]


@pytest.mark.parametrize("day", ["14/04/2024", "12/04/2024"], ids=["sunday", "friday"])
def test_the_scheduler_runs_it_every_day_after_its_time(day):
    # Sunday 14/04/2024 is a day off: the housekeeping is due anyway, at 22:00 by default.
    assert JobKind.HOUSEKEEPING not in kinds(f"{day} 21:59")
    assert kinds(f"{day} 22:00").count(JobKind.HOUSEKEEPING) == 1
    assert kinds(f"{day} 23:59").count(JobKind.HOUSEKEEPING) == 1
