"""One definition of "overdue" rules every output (issue 10 bug: the queue's overdue list and
the period report disagreed on a pending imported dossier with two supplement requests).

The definition is ``core.timeliness.is_overdue``, applied to a dossier's facts by
``core.metrics.overdue_at`` (report figures, drill-downs, ledger); ``dossiers.selectors.
overdue_q`` is its database form (command-line queue, back-office queue and filters,
end-of-day list). These tests build the dossier of the bug report from a history file and
check every output, then check the database form equals the definition on many dossiers and
moments.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.backoffice.selectors import Urgency, queue_for_user
from motcua.clock.selectors import calendar_for
from motcua.core import workflow
from motcua.core.metrics import Bucket, Period, overdue_at
from motcua.dossiers import figures
from motcua.dossiers.history import HEADER, import_history
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_with_facts, overdue_q, supplement_limit
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.conftest import local
from motcua.reports.dashboard import end_of_day
from motcua.reports.selectors import report_drill_down, report_for, report_recomputed

pytestmark = pytest.mark.django_db

A = workflow.Action
CODE = "000.00.58.H06-240401-0901"
# Received Monday 01/04/2024 08:00 with five working days: due Monday 08/04/2024 08:00. On
# Wednesday it is well within its time, but for its two supplement requests (766 2.1 [S]).
WEDNESDAY = local("03/04/2024 10:00")
PERIOD = Period(date(2024, 4, 1), date(2024, 4, 3))


def imported_pending_dossier(code: str = CODE, **changes) -> Dossier:
    """The dossier of the bug report: imported, in processing, ``supplement_requests: 2``
    and no pauses (docs/dossier-history-format.md); ``changes`` replace fields of its line."""
    line = {
        "code": code,
        "procedure": "1.000001",
        "receiving_agency": "BPMC-058",
        "competent_agency": "PTP-058",
        "applicant": {"name": "Lý Văn Sinh", "phone": "0912000111"},
        "channel": "direct",
        "submitted_at": "2024-04-01T08:00:00+07:00",
        "received_at": "2024-04-01T08:00:00+07:00",
        "due_at": "2024-04-08T08:00:00+07:00",
        "status": "in_processing",
        "supplement_requests": 2,
        **changes,
    }
    import_history([json.dumps(HEADER), json.dumps(line, ensure_ascii=False)], label="old.jsonl")
    return Dossier.objects.get(code=code)


def cli_queue(*args: str) -> list[str]:
    out = StringIO()
    call_command("dossiers", "queue", *args, stdout=out)
    return [line.split()[0] for line in out.getvalue().splitlines()[:-1]]


def every_output(world, at, period=PERIOD, code=CODE):
    """Whether each output counts the dossier as overdue at ``at`` (and at the end of
    ``period``, which ends on ``at``'s day)."""
    dossier = Dossier.objects.get(code=code)
    rows = {row.dossier.pk: row.urgency for row in queue_for_user(world.officer, at=at)}
    report = report_for(world.city, period)
    recomputed = report_recomputed(world.city, period)
    assert report.totals == recomputed.totals  # the ledger and the definitions agree
    assert report[Bucket.PENDING] == 1
    moment = at.strftime("%d/%m/%Y %H:%M")
    queue = cli_queue("--user", "officer", "--due", "overdue", "--at", moment)
    return {
        "overdue_q": Dossier.objects.filter(overdue_q(at), pk=dossier.pk).exists(),
        "command-line queue": queue == [code],
        "back-office queue": rows.get(dossier.pk) is Urgency.OVERDUE,
        "end-of-day list": [d.code for d in end_of_day(world.city, at=at).overdue] == [code],
        "report figure": report[Bucket.PENDING_OVERDUE] == 1,
        "drill-down": report_drill_down(world.city, period, Bucket.PENDING_OVERDUE) == [code],
    }


def test_an_imported_dossier_with_two_supplement_requests_is_overdue_everywhere(world):
    dossier = imported_pending_dossier()
    assert (dossier.supplement_requests, dossier.pauses.count()) == (2, 0)
    assert every_output(world, WEDNESDAY) == dict.fromkeys(
        [
            "overdue_q",
            "command-line queue",
            "back-office queue",
            "end-of-day list",
            "report figure",
            "drill-down",
        ],
        True,
    )
    assert report_drill_down(world.city, PERIOD, Bucket.PENDING_WITHIN_TIME) == []
    assert figures.ledger_differences() == {}


def test_the_two_supplement_rule_is_a_setting_every_output_follows(world, settings):
    imported_pending_dossier()
    settings.MOTCUA_DOSSIERS = {
        **settings.MOTCUA_DOSSIERS,
        "MAX_SUPPLEMENT_REQUESTS_ON_TIME": "none",
    }
    assert supplement_limit() is None
    figures.ledger_rebuild()  # a changed rule re-counts the ledger (docs/dossiers.md)
    assert set(every_output(world, WEDNESDAY).values()) == {False}
    assert report_drill_down(world.city, PERIOD, Bucket.PENDING_WITHIN_TIME) == [CODE]
    settings.MOTCUA_DOSSIERS = {**settings.MOTCUA_DOSSIERS, "MAX_SUPPLEMENT_REQUESTS_ON_TIME": 1}
    figures.ledger_rebuild()
    assert set(every_output(world, WEDNESDAY).values()) == {True}


def test_an_imported_due_moment_moved_without_pauses_rules_every_output(world):
    # The old system moved the due moment to 15/04 for a wait it did not record as a pause:
    # within time on Wednesday 10/04 everywhere, overdue everywhere after 15/04 08:00.
    code = "000.00.58.H06-240401-0902"
    moved = "2024-04-15T08:00:00+07:00"
    imported_pending_dossier(code, supplement_requests=1, effective_due_at=moved)
    wednesday = Period(date(2024, 4, 1), date(2024, 4, 10))
    found = every_output(world, local("10/04/2024 16:00"), wednesday, code)
    assert set(found.values()) == {False}
    tuesday = Period(date(2024, 4, 1), date(2024, 4, 16))
    assert set(every_output(world, local("16/04/2024 16:00"), tuesday, code).values()) == {True}


def act(dossier, action, at, actor=None, **details):
    return dossier_transition(
        dossier_id=dossier.pk,
        action=action,
        actor=actor,
        as_applicant=actor is None,
        reason="Lý do",
        details=Details(**details),
        at=local(at),
    )


def test_the_database_form_equals_the_definition_on_many_dossiers_and_moments(world):
    # Received Monday 01/04/2024 at 08:00 + n hours: due Monday 08/04 (5 working days).
    imported_pending_dossier()
    imported_pending_dossier(
        "IMPORTED-MOVED", supplement_requests=0, effective_due_at="2024-04-10T10:00:00+07:00"
    )
    running = world.create(at="01/04/2024 09:00")
    paused_in_time = act(world.create(at="01/04/2024 10:00"), A.TRANSFER, "01/04/2024 10:05",
                         world.clerk)  # fmt: skip
    act(paused_in_time, A.REQUEST_SUPPLEMENT, "02/04/2024 09:00", world.officer)
    # Handed in Thursday 28/03 at 17:00, received Friday 07:00, due Thursday 04/04 17:00;
    # asked for a supplement that evening at 20:00, already late (no working time between):
    # overdue while the clock stands still, the next morning too.
    stopped_late = act(world.create(at="28/03/2024 17:00"), A.TRANSFER, "28/03/2024 17:05",
                       world.clerk)  # fmt: skip
    assert stopped_late.due_at == local("04/04/2024 17:00")
    act(stopped_late, A.REQUEST_SUPPLEMENT, "04/04/2024 20:00", world.officer)
    resumed = act(world.create(at="01/04/2024 15:00"), A.TRANSFER, "01/04/2024 15:05",
                  world.clerk)  # fmt: skip
    resumed = act(resumed, A.REQUEST_SUPPLEMENT, "02/04/2024 15:00", world.officer)
    act(resumed, A.SUPPLEMENT, "04/04/2024 09:00")  # two working days later: due 10/04 15:00
    twice = act(world.create(at="01/04/2024 16:00"), A.TRANSFER, "01/04/2024 16:05",
                world.clerk)  # fmt: skip
    for day in ("02", "03"):
        twice = act(twice, A.REQUEST_SUPPLEMENT, f"{day}/04/2024 09:00", world.officer)
        twice = act(twice, A.SUPPLEMENT, f"{day}/04/2024 10:00")
    evening = world.create(at="01/04/2024 18:10")  # received 02/04 07:00, due 08/04 17:00
    act(evening, A.TRANSFER, "01/04/2024 18:20", world.clerk)

    facts = dict(dossiers_with_facts(Dossier.objects.all()))
    calendar = calendar_for(agency=world.city_desk)
    pending = {s.value for s in workflow.PENDING}
    statuses = dict(Dossier.objects.values_list("pk", "status"))
    seen = set()
    moment = local("04/04/2024 20:00")  # after every event, across every due moment
    while moment < local("12/04/2024 18:00"):
        expected = {
            counted.pk
            for counted, fact in facts.items()
            if statuses[counted.pk] in pending and overdue_at(fact, calendar, moment)
        }
        assert set(Dossier.objects.filter(overdue_q(moment)).values_list("pk", flat=True)) == (
            expected
        ), moment
        seen.add(frozenset(expected))
        moment += timedelta(minutes=50)
    # The moments cover both answers for the running dossiers (three due moments pass).
    assert running.pk in set().union(*seen)
    assert stopped_late.pk in set.intersection(*map(set, seen))
    assert paused_in_time.pk not in set().union(*seen)
    assert len(seen) == 5


def test_the_command_line_due_filters_are_the_end_of_day_lists(world):
    # Due Monday 08/04/2024 at 08:00, 09:00 and 16:00, and Tuesday 09/04 at 08:00.
    imported_pending_dossier()  # overdue by its two supplement requests
    passed = world.create(at="01/04/2024 09:00")
    later = world.create(at="01/04/2024 16:00")
    waiting = act(world.create(at="01/04/2024 15:00"), A.TRANSFER, "01/04/2024 15:05",
                  world.clerk)  # fmt: skip
    act(waiting, A.REQUEST_SUPPLEMENT, "08/04/2024 09:30", world.officer)  # clock stopped
    tuesday = world.create(at="02/04/2024 08:00")
    at = local("08/04/2024 10:00")
    lists = end_of_day(world.city, at=at)
    moment = ("--at", "08/04/2024 10:00")
    queue = {
        due: cli_queue("--user", "clerk", "--due", due, *moment)
        for due in ("overdue", "today", "tomorrow")
    }
    assert queue == {
        "overdue": [d.code for d in lists.overdue],
        "today": [d.code for d in lists.due_today],
        "tomorrow": [d.code for d in lists.due_next],
    }
    assert queue == {
        "overdue": [CODE, passed.code],
        "today": [later.code],
        "tomorrow": [tuesday.code],
    }
