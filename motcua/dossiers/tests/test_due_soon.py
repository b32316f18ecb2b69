"""Due today and on the next working day: one definition (``dossiers.selectors.due_soon_q``)
behind the dashboard's end-of-day list and the command line's ``queue --due``, in the unit's
calendar, leaving out overdue dossiers and those whose clock is stopped."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from motcua.clock.models import CalendarOverride
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import DueSoon, due_soon_q, due_windows
from motcua.dossiers.tests.conftest import local
from motcua.reports.dashboard import end_of_day


def _queue(due: str, at: str) -> list[str]:
    out = StringIO()
    call_command("dossiers", "queue", "--user", "clerk", "--due", due, "--at", at, stdout=out)
    return [line.split()[0] for line in out.getvalue().splitlines()[:-1]]


def _due(dossier: Dossier, at: str, **fields: object) -> Dossier:
    Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=local(at), **fields)
    return dossier


def test_the_queue_and_the_end_of_day_list_agree_in_the_units_calendar(world):
    # The province gives itself Monday 08/04/2024 off: from Friday, its next working day is
    # Tuesday (the nationwide calendar's would be Monday).
    CalendarOverride.objects.create(
        province=world.province,
        date=date(2024, 4, 8),
        kind="day_off",
        name="Nghỉ thử nghiệm",
        legal_ref="Thông báo thử",
    )
    today = _due(world.create(at="01/04/2024 08:00"), "05/04/2024 16:00")
    monday = _due(world.create(at="01/04/2024 09:00"), "08/04/2024 09:00")
    tuesday = _due(world.create(at="01/04/2024 10:00"), "09/04/2024 09:00")
    late = _due(world.create(at="01/04/2024 11:00"), "05/04/2024 08:00")
    waiting = _due(world.create(at="01/04/2024 12:00"), "09/04/2024 10:00")
    Dossier.objects.filter(pk=waiting.pk).update(paused_since=local("04/04/2024 09:00"))
    at = "05/04/2024 10:00"

    windows = due_windows(world.city, local(at))
    assert windows.next_working_day == date(2024, 4, 9)
    lists = end_of_day(world.city, at=local(at))
    assert [d.code for d in lists.due_today] == _queue("today", at) == [today.code]
    assert [d.code for d in lists.due_next] == _queue("tomorrow", at)
    assert _queue("tomorrow", at) == [monday.code, tuesday.code]
    assert [d.code for d in lists.overdue] == _queue("overdue", at) == [late.code]
    for which in DueSoon:  # the stopped clock is in no "due" list
        assert not Dossier.objects.filter(due_soon_q(windows, which), pk=waiting.pk).exists()
