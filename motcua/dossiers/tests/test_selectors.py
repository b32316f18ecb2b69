"""The database form of "overdue" agrees with the pure definition (core.timeliness)."""

from __future__ import annotations

import pytest

from motcua.clock.selectors import calendar_for
from motcua.core import timeliness, workflow
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import overdue_q
from motcua.dossiers.services import dossier_transition
from motcua.dossiers.tests.world import local

pytestmark = pytest.mark.django_db
A = workflow.Action


def step(world, dossier, action, at, actor=None, **kwargs):
    return dossier_transition(
        dossier_id=dossier.pk,
        action=action,
        actor=actor or world.officer,
        reason="Lý do",
        at=local(at),
        **kwargs,
    )


def test_overdue_in_the_database_matches_the_definition(world):
    # All received Monday 01/04/2024 08:00, due Monday 08/04/2024 08:00 (5 working days).
    def received():
        dossier = world.create(at="01/04/2024 08:00")
        return step(world, dossier, A.TRANSFER, "01/04/2024 08:30", actor=world.clerk)

    running = received()
    paused_early = step(world, received(), A.REQUEST_SUPPLEMENT, "03/04/2024 09:00")
    paused_late = step(world, received(), A.REQUEST_SUPPLEMENT, "09/04/2024 09:00")
    twice = step(world, received(), A.REQUEST_SUPPLEMENT, "02/04/2024 09:00")
    twice = step(world, twice, A.SUPPLEMENT, "02/04/2024 10:00", as_applicant=True, actor=None)
    twice = step(world, twice, A.REQUEST_SUPPLEMENT, "02/04/2024 11:00")
    twice = step(world, twice, A.SUPPLEMENT, "02/04/2024 14:00", as_applicant=True, actor=None)
    resolved = step(world, received(), A.APPROVE, "10/04/2024 09:00")
    calendar = calendar_for(world.city)

    # The query sees the dossiers as they are now, so ask about moments after the last event.
    for moment in ("10/04/2024 09:00", "12/04/2024 17:00", "15/04/2024 09:00"):
        at = local(moment)
        in_db = set(Dossier.objects.filter(overdue_q(at)).values_list("code", flat=True))
        expected = set()
        for dossier in (running, paused_early, paused_late, twice, resolved):
            dossier.refresh_from_db()
            if dossier.status not in workflow.PENDING:
                continue
            pauses = [timeliness.Pause(p.started_at, p.ended_at) for p in dossier.pauses.all()]
            if timeliness.is_overdue(
                calendar,
                at=at,
                due_at=dossier.due_at,
                pauses=pauses,
                supplement_requests=dossier.supplement_requests,
            ):
                expected.add(dossier.code)
        assert in_db == expected, moment
    assert twice.code in in_db
    assert paused_late.code in in_db
    assert paused_early.code not in in_db
